using System.Runtime.CompilerServices;
using CrossVit.Runtime.Kernels.Gemm;
using CrossVit.Runtime.Kernels.Simd;

namespace CrossVit.Runtime.Kernels;

/// <summary>Score block shape shared by every ISA, so the scratch size does not depend on the kernel set.</summary>
internal static class AttentionBlock
{
    /// <summary>Query rows per score block: 64 × 401 scores (100 KB) stay in L2.</summary>
    public const int Rows = 64;

    /// <summary>Below this many queries (cross-attention has one) packing K and V costs more than it saves: score rows are dot products.</summary>
    public const int GemvMaxRows = 3;

    public static int ScratchSize(int tq, int tk) => Math.Min(tq, Rows) * Stride(tk);

    /// <summary>Row stride of the scores: tk rounded up to 16 floats, so each row starts on a 64-byte boundary.</summary>
    public static int Stride(int tk) => (tk + 15) / 16 * 16;
}

/// <summary>
/// Multi-head attention, one head at a time: keys and values of the head are packed as GEMM B panels, then for each
/// block of <see cref="AttentionBlock.Rows"/> queries: scores = Q·Kᵀ, softmax(scale · scores) per row, out = scores · V.
/// Only one block of scores exists at a time. A handful of queries (cross-attention's CLS token) takes the GEMV path:
/// dot products against the keys, softmax, then a weighted sum of value rows, with nothing packed.
/// </summary>
internal static unsafe class Attention<TSimd, TVec>
    where TSimd : ISimd<TVec>, IGemmBlocking
    where TVec : struct
{
    /// <summary>Floats of workspace <see cref="Run"/> needs besides the score scratch.</summary>
    public static long WorkspaceSize(int tq, int tk, int headDim) => tq <= AttentionBlock.GemvMaxRows ? 0 :
        PackB.Size(tk, headDim, GemmDriver<TSimd, TVec>.Nr) + PackB.Size(headDim, tk, GemmDriver<TSimd, TVec>.Nr);

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Run(
        float* q, int ldq, float* k, int ldk, float* v, int ldv, int tq, int tk, int headDim, float scale,
        float* output, int ldo, int headStart, int headCount, float* scores, float* workspace)
    {
        if (tq <= AttentionBlock.GemvMaxRows)
        {
            for (var h = headStart; h < headStart + headCount; h++)
            {
                var column = h * headDim;
                for (var i = 0; i < tq; i++)
                {
                    Gemv(q + ((long)i * ldq) + column, k + column, ldk, v + column, ldv, tk, headDim, scale, output + ((long)i * ldo) + column, scores);
                }
            }

            return;
        }

        var nr = GemmDriver<TSimd, TVec>.Nr;
        var inverseSums = stackalloc float[AttentionBlock.Rows];
        var packedK = workspace;
        var packedV = packedK + PackB.Size(tk, headDim, nr);
        var ld = AttentionBlock.Stride(tk);
        for (var h = headStart; h < headStart + headCount; h++)
        {
            var column = h * headDim;
            PackB.FromRows<TSimd, TVec>(k + column, ldk, tk, headDim, nr, packedK);
            PackB.FromColumns(v + column, ldv, headDim, tk, nr, packedV);
            for (var i0 = 0; i0 < tq; i0 += AttentionBlock.Rows)
            {
                var rows = Math.Min(AttentionBlock.Rows, tq - i0);
                GemmDriver<TSimd, TVec>.Run(
                    new RowMajorA(q + ((long)i0 * ldq) + column, ldq), rows, tk, headDim, packedK, null, scores, ld, false, Activation.None, null);
                // Normalise after P·V: headDim outputs per row instead of tk probabilities.
                for (var i = 0; i < rows; i++)
                {
                    inverseSums[i] = 1f / Softmax<TSimd, TVec>.Exponentiate(scores + ((long)i * ld), tk, scale);
                }

                var block = output + ((long)i0 * ldo) + column;
                GemmDriver<TSimd, TVec>.Run(new RowMajorA(scores, ld), rows, headDim, tk, packedV, null, block, ldo, false, Activation.None, null);
                for (var i = 0; i < rows; i++)
                {
                    Softmax<TSimd, TVec>.Scale<TSimd, TVec>(block + ((long)i * ldo), headDim, inverseSums[i], 0);
                    Softmax<TSimd, TVec>.Scale<ScalarSimd, float>(block + ((long)i * ldo), headDim, inverseSums[i], headDim / TSimd.Count * TSimd.Count);
                }
            }
        }
    }

    /// <summary>One query row: scores[j] = q·k_j, softmax(scale · scores), out = Σ_j p_j v_j.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Gemv(float* q, float* k, int ldk, float* v, int ldv, int tk, int headDim, float scale, float* output, float* scores)
    {
        for (var j = 0; j < tk; j++)
        {
            scores[j] = DotProducts.Dot<TSimd, TVec>(q, k + ((long)j * ldk), headDim);
        }

        Softmax<TSimd, TVec>.Run(scores, tk, scale);
        DotProducts.WeightedRowSum<TSimd, TVec>(scores, v, ldv, tk, headDim, output);
    }
}

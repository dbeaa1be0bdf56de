using CrossVit.Runtime.Kernels.Gemm;
using CrossVit.Runtime.Kernels.Simd;

namespace CrossVit.Runtime.Kernels;

/// <summary>Score block shape shared by every ISA, so the scratch size does not depend on the kernel set.</summary>
internal static class AttentionBlock
{
    /// <summary>Query rows per score block: 64 × 401 scores (100 KB) stay in L2.</summary>
    public const int Rows = 64;

    public static int ScratchSize(int tq, int tk) => Math.Min(tq, Rows) * tk;
}

/// <summary>
/// Multi-head attention, one head at a time: keys and values of the head are packed as GEMM B panels, then for each
/// block of <see cref="AttentionBlock.Rows"/> queries: scores = Q·Kᵀ, softmax(scale · scores) per row, out = scores · V.
/// Only one block of scores exists at a time.
/// </summary>
internal static unsafe class Attention<TSimd, TVec>
    where TSimd : ISimd<TVec>, IGemmBlocking
    where TVec : struct
{
    /// <summary>Floats of workspace <see cref="Run"/> needs besides the score scratch.</summary>
    public static long WorkspaceSize(int tk, int headDim) =>
        PackB.Size(tk, headDim, GemmDriver<TSimd, TVec>.Nr) + PackB.Size(headDim, tk, GemmDriver<TSimd, TVec>.Nr) + GemmDriver<TSimd, TVec>.WorkspaceSize;

    public static void Run(
        float* q, int ldq, float* k, int ldk, float* v, int ldv, int tq, int tk, int headDim, float scale,
        float* output, int ldo, int headStart, int headCount, float* scores, float* workspace)
    {
        var nr = GemmDriver<TSimd, TVec>.Nr;
        var packedK = workspace;
        var packedV = packedK + PackB.Size(tk, headDim, nr);
        var gemmWorkspace = packedV + PackB.Size(headDim, tk, nr);
        for (var h = headStart; h < headStart + headCount; h++)
        {
            var column = h * headDim;
            PackB.FromRows(k + column, ldk, tk, headDim, nr, packedK);
            PackB.FromColumns(v + column, ldv, headDim, tk, nr, packedV);
            for (var i0 = 0; i0 < tq; i0 += AttentionBlock.Rows)
            {
                var rows = Math.Min(AttentionBlock.Rows, tq - i0);
                GemmDriver<TSimd, TVec>.Run(
                    new RowMajorA(q + ((long)i0 * ldq) + column, ldq), rows, tk, headDim, packedK, null, scores, tk, false, Activation.None, gemmWorkspace);
                for (var i = 0; i < rows; i++)
                {
                    Softmax<TSimd, TVec>.Run(scores + ((long)i * tk), tk, scale);
                }

                GemmDriver<TSimd, TVec>.Run(
                    new RowMajorA(scores, tk), rows, headDim, tk, packedV, null, output + ((long)i0 * ldo) + column, ldo, false, Activation.None, gemmWorkspace);
            }
        }
    }
}

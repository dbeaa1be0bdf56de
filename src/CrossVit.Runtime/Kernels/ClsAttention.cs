using System.Runtime.CompilerServices;
using CrossVit.Runtime.Kernels.Simd;

namespace CrossVit.Runtime.Kernels;

/// <summary>
/// Cross-attention's single query (the CLS token) over tokens x whose keys and values are linear in x, with the key and
/// value projections folded onto the query side. For head h (rows [h·d, (h+1)·d) of Wk and Wv):
/// <c>score_j = scale · (Wk_hᵀ q_h) · x_j</c> and <c>out_h = Wv_h (Σ_j p_j x_j) + bv_h</c>.
/// This equals attention over k = x·Wkᵀ + bk, v = x·Wvᵀ + bv: the key bias shifts every score of a head by the same
/// q_h·bk_h, which softmax cancels, and the probabilities sum to 1. It costs O(tokens · dim) per head instead of the
/// O(tokens · dim²) of projecting every token.
/// </summary>
internal static unsafe class ClsAttention<TSimd, TVec>
    where TSimd : ISimd<TVec>
    where TVec : struct
{
    /// <summary>
    /// output[h·d..(h+1)·d) for heads [headStart, headStart + headCount); q and output are [dim], x is [tokens, dim],
    /// Wk and Wv [dim, dim]; scratch holds tokens + 2·dim floats (the folded query, the scores, the mixed token).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Run(
        float* q, float* x, int tokens, int dim, float* wk, float* wv, float* bv, int headDim, float scale,
        float* output, int headStart, int headCount, float* scratch)
    {
        var folded = scratch;           // [dim]: Wk_hᵀ q_h
        var scores = folded + dim;      // [tokens]
        var mixed = scores + tokens;    // [dim]: Σ_j p_j x_j
        for (var h = headStart; h < headStart + headCount; h++)
        {
            var first = h * headDim;
            DotProducts.WeightedRowSum<TSimd, TVec>(q + first, wk + ((long)first * dim), dim, headDim, dim, folded);
            for (var j = 0; j < tokens; j++)
            {
                scores[j] = DotProducts.Dot<TSimd, TVec>(folded, x + ((long)j * dim), dim);
            }

            Softmax<TSimd, TVec>.Run(scores, tokens, scale);
            DotProducts.WeightedRowSum<TSimd, TVec>(scores, x, dim, tokens, dim, mixed);
            for (var r = first; r < first + headDim; r++)
            {
                output[r] = DotProducts.Dot<TSimd, TVec>(wv + ((long)r * dim), mixed, dim) + (bv == null ? 0f : bv[r]);
            }
        }
    }
}

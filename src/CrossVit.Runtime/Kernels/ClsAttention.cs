using System.Runtime.CompilerServices;
using CrossVit.Runtime.Kernels.Simd;
using CrossVit.Runtime.Profiling;

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
                scores[j] = DotProducts.Dot<TSimd, TVec>(folded, x + ((long)j * dim), dim) * scale;
            }

            Softmax<TSimd, TVec>.Run(scores, tokens);
            DotProducts.WeightedRowSum<TSimd, TVec>(scores, x, dim, tokens, dim, mixed);
            for (var r = first; r < first + headDim; r++)
            {
                output[r] = DotProducts.Dot<TSimd, TVec>(wv + ((long)r * dim), mixed, dim) + (bv == null ? 0f : bv[r]);
            }
        }
    }
}

/// <summary>Cross-attention's checked entry.</summary>
public sealed unsafe partial class KernelSet
{
    /// <summary>
    /// Cross-attention of one query token over <paramref name="tokens"/> rows of x, with keys x·Wkᵀ + bk and values
    /// x·Wvᵀ + bv never formed: per head h, out_h = Wv_h · Σ_j softmax_j(scale · (Wk_hᵀ q_h) · x_j) x_j + bv_h.
    /// The key bias is not needed (it shifts all of a head's scores alike). Only heads [headStart, headStart + headCount)
    /// of output are written.
    /// </summary>
    /// <param name="q">The projected query, [dim] (heads side by side).</param>
    /// <param name="x">The tokens, [tokens, dim], row-contiguous.</param>
    /// <param name="tokens">Token count (≥ 1).</param>
    /// <param name="dim">Width of q, x and the output; a multiple of <paramref name="heads"/>.</param>
    /// <param name="wk">Key weight, nn.Linear layout [dim, dim].</param>
    /// <param name="wv">Value weight, [dim, dim].</param>
    /// <param name="bv">Value bias, [dim], or empty.</param>
    /// <param name="heads">Number of heads.</param>
    /// <param name="scale">Score scale, usually (dim / heads)^-½.</param>
    /// <param name="output">Output, [dim]; must not overlap the inputs.</param>
    /// <param name="headStart">First head to compute.</param>
    /// <param name="headCount">Number of heads to compute.</param>
    /// <param name="scratch">At least <see cref="ClsAttentionScratchSize"/>(tokens, dim) floats.</param>
    public void ClsAttention(
        ReadOnlySpan<float> q, ReadOnlySpan<float> x, int tokens, int dim, ReadOnlySpan<float> wk, ReadOnlySpan<float> wv, ReadOnlySpan<float> bv,
        int heads, float scale, Span<float> output, int headStart, int headCount, Span<float> scratch)
    {
        Require(headStart >= 0 && headCount >= 0 && headStart + headCount <= heads, $"Heads [{headStart}, {headStart + headCount}) lie outside [0, {heads}).");
        CheckClsAttention(q.Length, x.Length, tokens, dim, wk.Length, wv.Length, bv.Length, heads, output.Length);
        Require(scratch.Length >= ClsAttentionScratchSize(tokens, dim), $"scratch needs {ClsAttentionScratchSize(tokens, dim)} floats.");
        fixed (float* pq = q)
        fixed (float* px = x)
        fixed (float* pk = wk)
        fixed (float* pv = wv)
        fixed (float* pb = bv)
        fixed (float* po = output)
        fixed (float* ps = scratch)
        {
            _impl.ClsAttention(pq, px, tokens, dim, pk, pv, bv.IsEmpty ? null : pb, dim / heads, scale, po, headStart, headCount, ps);
        }
    }

    /// <summary>Throws unless the lengths given hold one image's ClsAttention.</summary>
    internal static void CheckClsAttention(long qLength, long xLength, int tokens, int dim, long wkLength, long wvLength, long bvLength, int heads, long outputLength)
    {
        Require(tokens > 0 && dim > 0 && heads > 0 && dim % heads == 0, $"ClsAttention needs tokens > 0 and dim > 0 a multiple of heads; got tokens {tokens}, dim {dim}, heads {heads}.");
        Require(qLength >= dim && outputLength >= dim, $"q and output need {dim} floats.");
        Require(xLength >= (long)tokens * dim, $"x has {xLength} floats, expected {tokens}×{dim}.");
        Require(wkLength >= (long)dim * dim && wvLength >= (long)dim * dim, $"wk and wv need {dim}×{dim} floats.");
        Require(bvLength == 0 || bvLength >= dim, $"bv has {bvLength} floats, expected {dim} or none.");
    }

    /// <summary>Floats of scratch <c>ClsAttention</c> needs.</summary>
    public static int ClsAttentionScratchSize(int tokens, int dim) => tokens + (2 * dim);
}

internal abstract unsafe partial class KernelImpl
{
    public abstract void ClsAttention(
        float* q, float* x, int tokens, int dim, float* wk, float* wv, float* bv, int headDim, float scale,
        float* output, int headStart, int headCount, float* scratch);
}

internal sealed unsafe partial class KernelImpl<TSimd, TVec>
{
    public override void ClsAttention(
        float* q, float* x, int tokens, int dim, float* wk, float* wv, float* bv, int headDim, float scale,
        float* output, int headStart, int headCount, float* scratch) =>
        ClsAttention<TSimd, TVec>.Run(q, x, tokens, dim, wk, wv, bv, headDim, scale, output, headStart, headCount, scratch);
}

internal sealed unsafe partial class ParallelKernels
{
    private readonly Job<ClsAttentionWork> _clsAttention = new();

    /// <summary>
    /// <c>KernelSet.ClsAttention</c> for a batch: q and output [batch, dim], x [batch, tokens, dim]. Work items are (image, head) pairs.
    /// </summary>
    public void ClsAttention(ReadOnlySpan<float> q, ReadOnlySpan<float> x, int batch, int tokens, int dim,
        ReadOnlySpan<float> wk, ReadOnlySpan<float> wv, ReadOnlySpan<float> bv, int heads, float scale, Span<float> output, OpSite? site = null)
    {
        int scratchSize = KernelSet.ClsAttentionScratchSize(tokens, dim), mark = _workspace.Mark();
        var scratch = _workspace.Take(_team.Threads * scratchSize);
        if (!Planning)
        {
            long start = _recorder is null ? 0 : OpRecorder.Now();
            if (batch > 0)
            {
                // The last image's views are the shortest: checking them checks every image's.
                long last = batch - 1;
                KernelSet.CheckClsAttention(q.Length - (last * dim), x.Length - (last * tokens * dim), tokens, dim, wk.Length, wv.Length, bv.Length, heads,
                    output.Length - (last * dim));
                fixed (float* pq = q) fixed (float* px = x) fixed (float* pk = wk) fixed (float* pv = wv) fixed (float* pb = bv) fixed (float* po = output) fixed (float* ps = scratch)
                {
                    Run(_clsAttention, new ClsAttentionWork(_impl, pq, px, batch, tokens, dim, pk, pv, bv.IsEmpty ? null : pb, heads, scale, po, ps, scratchSize));
                }
            }
            // As ModelCost counts it: wk and wv over every token, then QKᵀ and attn·V of the one query.
            _recorder?.Stop(site, start, _team.Threads, split: true, 2L * batch * tokens * dim * (dim + 1));
        }
        _workspace.Release(mark);
    }

    private readonly struct ClsAttentionWork(KernelImpl impl, float* q, float* x, int batch, int tokens, int dim, float* wk, float* wv, float* bv,
        int heads, float scale, float* output, float* scratch, int scratchSize) : IWork
    {
        public void Execute(int worker, int workers)
        {
            var (start, end) = Share(batch * heads, 1, worker, workers);
            float* workerScratch = scratch + (long)worker * scratchSize;
            for (int item = start; item < end; item++)
            {
                int b = item / heads, h = item % heads;
                impl.ClsAttention(q + (long)b * dim, x + (long)b * tokens * dim, tokens, dim, wk, wv, bv, dim / heads, scale, output + (long)b * dim, h, 1, workerScratch);
            }
        }
    }
}

using CrossVit.Runtime.Engine;
using CrossVit.Runtime.Kernels;
using CrossVit.Runtime.Profiling;
using CrossVit.Runtime.Threading;

namespace CrossVit.Runtime.Model.Layers;

/// <summary>
/// timm's ViT <c>Attention</c> as a residual branch: x += proj(attention(qkv(xn))), whole or in two groups of heads
/// (<see cref="LinearGroups"/>).
/// </summary>
internal abstract class SelfAttention(ILinearLayer qkv, ILinearLayer proj, int dim, int heads, float scale, OpSite attention)
{
    protected int Dim => dim;

    protected int Heads => heads;

    protected float Scale => scale;

    protected OpSite Site => attention;

    public static SelfAttention Load(IWeightSource w, WeightPath p, int dim, int heads, bool qkvBias, float scale, bool grouped)
    {
        var site = new OpSite(OpKind.AttentionCore, p.Prefix);
        return grouped
            ? new Grouped(LinearGroups.Load(w, p.Pp("qkv"), dim, 3 * dim, GroupCut.QkvOutputs, OpKind.Qkv, qkvBias),
                LinearGroups.Load(w, p.Pp("proj"), dim, dim, GroupCut.Inputs, OpKind.AttentionProjection), dim, heads, scale, site)
            : new Whole(Linear.Load(w, p.Pp("qkv"), dim, 3 * dim, OpKind.Qkv, qkvBias),
                Linear.Load(w, p.Pp("proj"), dim, dim, OpKind.AttentionProjection), dim, heads, scale, site);
    }

    /// <summary>Its multiply-adds on <paramref name="tokens"/> tokens of one image: qkv and proj, then QKᵀ and attn·V.</summary>
    public long MultiplyAdds(int tokens) => qkv.MultiplyAdds(tokens) + proj.MultiplyAdds(tokens) + 2L * tokens * tokens * dim;

    /// <summary>Its work on <paramref name="tokens"/> tokens per image, for the branch scheduler.</summary>
    public BranchCost Cost(int tokens) => new([qkv.Cost(tokens), proj.Cost(tokens)], [new(heads, tokens, tokens, dim / heads)]);

    /// <summary>x [batch, tokens, dim] += the attention of xn (same shape); xn's contents are spent.</summary>
    public abstract void AddTo(ParallelKernels k, Span<float> xn, Span<float> x, int batch, int tokens, Workspace ws);

    /// <summary>Every head at once: proj accumulates into x in its GEMM.</summary>
    private sealed class Whole(Linear qkv, Linear proj, int dim, int heads, float scale, OpSite attention) : SelfAttention(qkv, proj, dim, heads, scale, attention)
    {
        public override void AddTo(ParallelKernels k, Span<float> xn, Span<float> x, int batch, int tokens, Workspace ws)
        {
            int rows = batch * tokens, mark = ws.Mark();
            var qkvRows = ws.Take(rows * 3 * Dim);               // [batch, tokens, 3 * dim]: q | k | v
            qkv.Forward(k, xn, rows, qkvRows);
            int stride = tokens * 3 * Dim;
            k.Attention(qkvRows, 3 * Dim, stride, qkvRows[Dim..], 3 * Dim, qkvRows[(2 * Dim)..], 3 * Dim, stride,
                batch, tokens, tokens, Heads, Dim / Heads, Scale, xn, Dim, tokens * Dim, Site);
            ws.Release(mark);
            proj.Forward(k, xn, rows, x, Epilogue.Accumulate);
        }
    }

    /// <summary>Two head groups: each computes its heads' q, k, v, attention and share of proj in buffers of its own.</summary>
    private sealed class Grouped(LinearGroups qkv, LinearGroups proj, int dim, int heads, float scale, OpSite attention) : SelfAttention(qkv, proj, dim, heads, scale, attention)
    {
        public override void AddTo(ParallelKernels k, Span<float> xn, Span<float> x, int batch, int tokens, Workspace ws)
        {
            int rows = batch * tokens, half = Dim / 2, mark = ws.Mark();
            var qkvRows = ws.Take(rows * 3 * Dim);               // [group, batch, tokens, 3 * dim/2]: a group's q | k | v
            qkv.Forward(k, xn, rows, qkvRows);
            // The groups' images are images to the kernel: 2 × batch of them, each with half the heads.
            int stride = tokens * 3 * half;
            k.Attention(qkvRows, 3 * half, stride, qkvRows[half..], 3 * half, qkvRows[(2 * half)..], 3 * half, stride,
                2 * batch, tokens, tokens, Heads / 2, Dim / Heads, Scale, xn, half, tokens * half, Site);   // xn: [group, rows, dim/2]
            proj.AddTo(k, xn, rows, x, ws.Take(rows * Dim));
            ws.Release(mark);
        }
    }
}

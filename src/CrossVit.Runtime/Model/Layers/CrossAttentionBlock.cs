using CrossVit.Runtime.Engine;
using CrossVit.Runtime.Kernels;
using CrossVit.Runtime.Profiling;
using CrossVit.Runtime.Threading;

namespace CrossVit.Runtime.Model.Layers;

/// <summary>
/// timm's <c>CrossAttentionBlock</c>: the CLS token alone queries all tokens; no MLP; the residual is on the CLS only,
/// so the block's output is one token: <c>x[:, 0:1] + proj(attn(norm1(x)))</c>. The keys and values of the tokens are
/// never formed: <c>KernelSet.ClsAttention</c> folds wk and wv onto the single query, so they stay unpacked, [dim, dim].
/// </summary>
internal sealed class CrossAttentionBlock(LayerNorm norm1, Linear wq, float[] wk, float[] wv, float[] bv, Linear proj, int heads, float scale, OpSite attention)
{
    private int Dim => proj.Out;

    public static CrossAttentionBlock Load(IWeightSource w, WeightPath p, int dim, int heads, bool qkvBias, float scale, double eps)
    {
        var norm1 = LayerNorm.Load(w, p.Pp("norm1"), dim, eps);
        var attn = p.Pp("attn");
        var wq = Linear.Load(w, attn.Pp("wq"), dim, dim, OpKind.CrossQuery, qkvBias);
        var wk = w.Read(attn.Pp("wk").Name("weight"), dim, dim);
        if (qkvBias) w.Skip(attn.Pp("wk").Name("bias"), dim);   // bound but unused: softmax cancels it
        var wv = w.Read(attn.Pp("wv").Name("weight"), dim, dim);
        float[] bv = qkvBias ? w.Read(attn.Pp("wv").Name("bias"), dim) : [];
        var proj = Linear.Load(w, attn.Pp("proj"), dim, dim, OpKind.CrossOutput);
        return new(norm1, wq, wk, wv, bv, proj, heads, scale, new(OpKind.CrossAttention, attn.Prefix));
    }

    /// <summary>
    /// Its multiply-adds when the CLS of one image attends over <paramref name="tokens"/> tokens: wq and proj on the CLS,
    /// wk and wv over every token (counted as unfolded, as PyTorch's profiler counts timm's), then QKᵀ and attn·V of the one query.
    /// </summary>
    public long MultiplyAdds(int tokens) => wq.MultiplyAdds(1) + proj.MultiplyAdds(1) + 2L * tokens * Dim * (Dim + 1);

    /// <summary>Its work when the CLS attends over <paramref name="tokens"/> tokens per image, for the branch scheduler.</summary>
    public BranchCost Cost(int tokens) => new([wq.Cost(1), proj.Cost(1)], [new(heads, 1, tokens, Dim)]);

    /// <summary>
    /// cls: [batch, dim], updated in place; x: [batch, tokens, dim], whose first row per image stands for cls (its
    /// contents are ignored), so the other branch's tokens serve as they are, without a copy.
    /// </summary>
    public void Forward(ParallelKernels k, Span<float> cls, ReadOnlySpan<float> x, int batch, int tokens, Workspace ws)
    {
        int dim = Dim, rows = batch * tokens, mark = ws.Mark();
        var xn = ws.Take(rows * dim);
        norm1.Forward(k, x, rows, xn);
        var clsRows = ws.Take(batch * dim);
        norm1.Forward(k, cls, batch, clsRows);
        for (int b = 0; b < batch; b++) clsRows.Slice(b * dim, dim).CopyTo(xn.Slice(b * tokens * dim, dim));
        var query = ws.Take(batch * dim);               // wq of each item's normalized CLS: [batch, dim]
        wq.Forward(k, clsRows, batch, query);
        var headsOut = clsRows;                         // the normalized CLS rows are dead once q exists
        k.ClsAttention(query, xn, batch, tokens, dim, wk, wv, bv, heads, scale, headsOut, attention);
        proj.Forward(k, headsOut, batch, cls, Epilogue.Accumulate);
        ws.Release(mark);
    }
}

using CrossVit.Runtime.Engine;
using CrossVit.Runtime.Kernels;

namespace CrossVit.Runtime.Model.Layers;

/// <summary>
/// timm's <c>CrossAttentionBlock</c>: the CLS token alone queries all tokens; no MLP; the residual is on the CLS only,
/// so the block's output is one token: <c>x[:, 0:1] + proj(attn(norm1(x)))</c>. The keys and values of the tokens are
/// never formed: <c>KernelSet.ClsAttention</c> folds wk and wv onto the single query, so they stay unpacked, [dim, dim].
/// </summary>
internal sealed class CrossAttentionBlock(LayerNorm norm1, Linear wq, float[] wk, float[] wv, float[] bv, Linear proj, int heads, float scale, OpSite attention)
{
    private int Dim => proj.Out;

    public static CrossAttentionBlock Load(Checkpoint ckpt, KernelSet kernels, string p, int dim, int heads, bool qkvBias, float scale, double eps) => new(
        LayerNorm.Load(ckpt, $"{p}.norm1", eps),
        Linear.Load(ckpt, kernels, $"{p}.attn.wq", dim, dim, OpKind.CrossQuery, qkvBias),
        ckpt.Read($"{p}.attn.wk.weight"),    // wk's bias is bound but unused: softmax cancels it
        ckpt.Read($"{p}.attn.wv.weight"),
        qkvBias ? ckpt.Read($"{p}.attn.wv.bias") : [],
        Linear.Load(ckpt, kernels, $"{p}.attn.proj", dim, dim, OpKind.CrossOutput),
        heads, scale, new(OpKind.CrossAttention, $"{p}.attn"));

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

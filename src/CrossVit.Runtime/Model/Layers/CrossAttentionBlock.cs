using CrossVit.Runtime.Engine;
using CrossVit.Runtime.Kernels;

namespace CrossVit.Runtime.Model.Layers;

/// <summary>
/// timm's <c>CrossAttentionBlock</c>: the CLS token alone queries all tokens; no MLP; the residual is on the CLS only,
/// so the block's output is one token: <c>x[:, 0:1] + proj(attn(norm1(x)))</c>.
/// </summary>
internal sealed class CrossAttentionBlock(LayerNorm norm1, Linear wq, Linear wk, Linear wv, Linear proj, int heads, float scale)
{
    private int Dim => proj.Out;

    public static CrossAttentionBlock Load(Checkpoint ckpt, KernelSet k, string p, int dim, int heads, bool qkvBias, float scale, double eps) => new(
        LayerNorm.Load(ckpt, $"{p}.norm1", eps),
        Linear.Load(ckpt, k, $"{p}.attn.wq", dim, dim, qkvBias),
        Linear.Load(ckpt, k, $"{p}.attn.wk", dim, dim, qkvBias),
        Linear.Load(ckpt, k, $"{p}.attn.wv", dim, dim, qkvBias),
        Linear.Load(ckpt, k, $"{p}.attn.proj", dim, dim),
        heads, scale);

    /// <summary>x: [batch, tokens, dim] → cls: [batch, dim].</summary>
    public void Forward(ParallelKernels k, ReadOnlySpan<float> x, int batch, int tokens, Span<float> cls, Workspace ws)
    {
        int dim = Dim, rows = batch * tokens, mark = ws.Mark();
        var xn = ws.Take(rows * dim);
        norm1.Forward(k, x, rows, xn);
        var key = ws.Take(rows * dim);
        var value = ws.Take(rows * dim);
        wk.Forward(k, xn, rows, key);
        wv.Forward(k, xn, rows, value);
        var clsRows = ws.Take(batch * dim);
        for (int b = 0; b < batch; b++) xn.Slice(b * tokens * dim, dim).CopyTo(clsRows.Slice(b * dim, dim));
        var query = ws.Take(batch * dim);               // wq of each item's normalized CLS: [batch, dim]
        wq.Forward(k, clsRows, batch, query);
        var headsOut = xn[..(batch * dim)];             // xn is dead once k, v and q exist
        k.Attention(query, dim, dim, key, dim, value, dim, tokens * dim, batch, 1, tokens, heads, dim / heads, scale, headsOut, dim, dim);
        for (int b = 0; b < batch; b++) x.Slice(b * tokens * dim, dim).CopyTo(cls.Slice(b * dim, dim));
        proj.Forward(k, headsOut, batch, cls, Epilogue.Accumulate);
        ws.Release(mark);
    }
}

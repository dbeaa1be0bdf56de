using CrossVit.Runtime.Engine;
using CrossVit.Runtime.Kernels;
using CrossVit.Runtime.Profiling;
using CrossVit.Runtime.Threading;

namespace CrossVit.Runtime.Model.Layers;

/// <summary>timm's ViT <c>Block</c>: x += attn(norm1(x)); x += mlp(norm2(x)).</summary>
internal sealed class Block(LayerNorm norm1, Linear qkv, Linear proj, LayerNorm norm2, Linear fc1, Linear fc2, int heads, float scale, OpSite attention)
{
    private int Dim => proj.Out;

    public static Block Load(IWeightSource w, WeightPath p, int dim, int hidden, int heads, bool qkvBias, float scale, double eps) => new(
        LayerNorm.Load(w, p.Pp("norm1"), dim, eps),
        Linear.Load(w, p.Pp("attn").Pp("qkv"), dim, 3 * dim, OpKind.Qkv, qkvBias),
        Linear.Load(w, p.Pp("attn").Pp("proj"), dim, dim, OpKind.AttentionProjection),
        LayerNorm.Load(w, p.Pp("norm2"), dim, eps),
        Linear.Load(w, p.Pp("mlp").Pp("fc1"), dim, hidden, OpKind.Fc1Gelu),
        Linear.Load(w, p.Pp("mlp").Pp("fc2"), hidden, dim, OpKind.Fc2),
        heads, scale, new(OpKind.AttentionCore, p.Name("attn")));

    /// <summary>Its multiply-adds on <paramref name="tokens"/> tokens of one image: the four linear layers, then QKᵀ and attn·V.</summary>
    public long MultiplyAdds(int tokens) =>
        qkv.MultiplyAdds(tokens) + proj.MultiplyAdds(tokens) + fc1.MultiplyAdds(tokens) + fc2.MultiplyAdds(tokens) + 2L * tokens * tokens * Dim;

    /// <summary>Its work on <paramref name="tokens"/> tokens per image, for the branch scheduler.</summary>
    public BranchCost Cost(int tokens) =>
        new([qkv.Cost(tokens), proj.Cost(tokens), fc1.Cost(tokens), fc2.Cost(tokens)], [new(heads, tokens, tokens, Dim / heads)]);

    /// <summary>x: [batch, tokens, dim], updated in place.</summary>
    public void Forward(ParallelKernels k, Span<float> x, int batch, int tokens, Workspace ws)
    {
        int rows = batch * tokens, mark = ws.Mark();
        var xn = ws.Take(rows * Dim);
        norm1.Forward(k, x, rows, xn);
        Attention(k, xn, batch, tokens, ws);      // xn now holds the heads' output [rows, dim]
        proj.Forward(k, xn, rows, x, Epilogue.Accumulate);

        norm2.Forward(k, x, rows, xn);
        var hidden = ws.Take(rows * fc1.Out);
        fc1.Forward(k, xn, rows, hidden, Epilogue.Gelu);
        fc2.Forward(k, hidden, rows, x, Epilogue.Accumulate);
        ws.Release(mark);
    }

    /// <summary>Multi-head self-attention of xn [batch, tokens, dim]; the heads' concatenated output replaces xn.</summary>
    private void Attention(ParallelKernels k, Span<float> xn, int batch, int tokens, Workspace ws)
    {
        int dim = Dim, rows = batch * tokens, mark = ws.Mark();
        var qkvRows = ws.Take(rows * 3 * dim);               // [batch, tokens, 3 * dim]: q | k | v
        qkv.Forward(k, xn, rows, qkvRows);
        int stride = tokens * 3 * dim;
        k.Attention(qkvRows, 3 * dim, stride, qkvRows[dim..], 3 * dim, qkvRows[(2 * dim)..], 3 * dim, stride,
            batch, tokens, tokens, heads, dim / heads, scale, xn, dim, tokens * dim, attention);
        ws.Release(mark);
    }
}

using CrossVit.Runtime.Engine;
using CrossVit.Runtime.Kernels;
using CrossVit.Runtime.Threading;

namespace CrossVit.Runtime.Model.Layers;

/// <summary>
/// timm's ViT <c>Block</c>: x += attn(norm1(x)); x += mlp(norm2(x)). Each half runs as two groups
/// (<see cref="LinearGroups"/>) when its own cut is even: attention by heads, the MLP by hidden features; otherwise
/// whole (the attention of crossvit_tiny's 3 heads and crossvit_18's 7).
/// </summary>
internal sealed class Block(LayerNorm norm1, SelfAttention attn, LayerNorm norm2, Mlp mlp)
{
    private int Dim => norm1.Dim;

    public static Block Load(IWeightSource w, WeightPath p, int dim, int hidden, int heads, bool qkvBias, float scale, double eps)
    {
        return new(
            LayerNorm.Load(w, p.Pp("norm1"), dim, eps),
            SelfAttention.Load(w, p.Pp("attn"), dim, heads, qkvBias, scale, grouped: heads % 2 == 0),
            LayerNorm.Load(w, p.Pp("norm2"), dim, eps),
            Mlp.Load(w, p.Pp("mlp"), dim, hidden, grouped: hidden % 2 == 0));
    }

    /// <summary>Its multiply-adds on <paramref name="tokens"/> tokens of one image: attention, then the MLP.</summary>
    public long MultiplyAdds(int tokens) => attn.MultiplyAdds(tokens) + mlp.MultiplyAdds(tokens);

    /// <summary>Its work on <paramref name="tokens"/> tokens per image, for the branch scheduler.</summary>
    public BranchCost Cost(int tokens) => BranchCost.Sum([attn.Cost(tokens), mlp.Cost(tokens)]);

    /// <summary>x: [batch, tokens, dim], updated in place.</summary>
    public void Forward(ParallelKernels k, Span<float> x, int batch, int tokens, Workspace ws)
    {
        int rows = batch * tokens, mark = ws.Mark();
        var xn = ws.Take(rows * Dim);
        norm1.Forward(k, x, rows, xn);
        attn.AddTo(k, xn, x, batch, tokens, ws);
        norm2.Forward(k, x, rows, xn);
        mlp.AddTo(k, xn, x, rows, ws);
        ws.Release(mark);
    }
}

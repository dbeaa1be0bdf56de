using CrossVit.Runtime.Engine;
using CrossVit.Runtime.Kernels;
using CrossVit.Runtime.Profiling;
using CrossVit.Runtime.Threading;

namespace CrossVit.Runtime.Model.Layers;

/// <summary>
/// <c>projs</c> / <c>revert_projs</c>: LayerNorm → GELU → Linear between two branch widths, or the identity
/// (lucid checkpoints of equal neighbouring widths).
/// </summary>
internal sealed class Projection(LayerNorm? norm, Linear? linear, OpSite? gelu)
{
    /// <summary>timm's <c>nn.Sequential</c>: the norm is child 0, the GELU child 1 (no tensors), the linear child 2.</summary>
    public static Projection Load(IWeightSource w, WeightPath p, int from, int to, double eps) =>
        from == to && w.IsIdentity(p)
            ? new(null, null, null)
            : new(LayerNorm.Load(w, p.Pp(0), from, eps), Linear.Load(w, p.Pp(2), from, to, OpKind.CrossProjections), new(OpKind.CrossProjections, p.Name("1")));

    /// <summary>Its multiply-adds on the CLS of one image.</summary>
    public long MultiplyAdds() => linear?.MultiplyAdds(1) ?? 0;

    /// <summary>Its work on one row per image (the CLS), for the branch scheduler.</summary>
    public BranchCost Cost() => new(linear is null ? [] : [linear.Cost(1)], []);

    /// <summary>x: [rows, from] → y: [rows, to].</summary>
    public void Forward(ParallelKernels k, ReadOnlySpan<float> x, int rows, Span<float> y, Workspace ws)
    {
        if (norm is null || linear is null)
        {
            x.CopyTo(y);
            return;
        }
        int mark = ws.Mark();
        var h = ws.Take(rows * norm.Dim);
        norm.Forward(k, x, rows, h);
        k.Gelu(h, h, gelu);
        linear.Forward(k, h, rows, y);
        ws.Release(mark);
    }
}

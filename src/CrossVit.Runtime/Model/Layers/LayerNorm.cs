using CrossVit.Runtime.Engine;
using CrossVit.Runtime.Kernels;

namespace CrossVit.Runtime.Model.Layers;

/// <summary><c>nn.LayerNorm</c> over the last dimension.</summary>
internal sealed class LayerNorm(float[] weight, float[] bias, float eps, OpSite site)
{
    public int Dim => weight.Length;

    public static LayerNorm Load(Checkpoint ckpt, string prefix, double eps) =>
        new(ckpt.Read($"{prefix}.weight"), ckpt.Read($"{prefix}.bias"), (float)eps, new(OpKind.LayerNorm, prefix));

    /// <summary>y[rows, dim] = norm(x[rows, dim]); y may be x.</summary>
    public void Forward(ParallelKernels k, ReadOnlySpan<float> x, int rows, Span<float> y) =>
        k.LayerNorm(x[..(rows * Dim)], rows, Dim, weight, bias, eps, y[..(rows * Dim)], site);
}

using CrossVit.Runtime.Engine;
using CrossVit.Runtime.Kernels;
using CrossVit.Runtime.Profiling;

namespace CrossVit.Runtime.Model.Layers;

/// <summary><c>nn.LayerNorm</c> over the last dimension.</summary>
internal sealed class LayerNorm(float[] weight, float[] bias, int dim, float eps, OpSite site)
{
    public int Dim => dim;

    public static LayerNorm Load(IWeightSource w, WeightPath p, int dim, double eps) =>
        new(w.Read(p.Name("weight"), dim), w.Read(p.Name("bias"), dim), dim, (float)eps, new(OpKind.LayerNorm, p.Prefix));

    /// <summary>y[rows, dim] = norm(x[rows, dim]); y may be x.</summary>
    public void Forward(ParallelKernels k, ReadOnlySpan<float> x, int rows, Span<float> y) =>
        k.LayerNorm(x[..(rows * Dim)], rows, Dim, weight, bias, eps, y[..(rows * Dim)], site);
}

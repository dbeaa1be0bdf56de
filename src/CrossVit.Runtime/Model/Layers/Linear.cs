using CrossVit.Runtime.Engine;
using CrossVit.Runtime.Kernels;
using CrossVit.Runtime.Profiling;

namespace CrossVit.Runtime.Model.Layers;

/// <summary><c>nn.Linear</c>: weight <c>[out, in]</c> packed for the kernels at load, optional bias <c>[out]</c>; a profile counts it as <paramref name="site"/>.</summary>
internal sealed class Linear(PackedMatrix weight, float[] bias, int inFeatures, int outFeatures, OpSite site) : ILinearLayer
{
    public int In => inFeatures;
    public int Out => outFeatures;

    public static Linear Load(IWeightSource w, WeightPath p, int inFeatures, int outFeatures, OpKind kind, bool bias = true) =>
        new(w.PackLinear(p.Name("weight"), outFeatures, inFeatures), bias ? w.Read(p.Name("bias"), outFeatures) : [], inFeatures, outFeatures, new(kind, p.Prefix));

    /// <summary>Its multiply-adds over <paramref name="rows"/> rows.</summary>
    public long MultiplyAdds(int rows) => (long)rows * In * Out;

    /// <summary>Its GEMM over <paramref name="rows"/> rows per image, for the branch scheduler.</summary>
    public GemmCost Cost(int rows) => new(rows, (long)In * Out);

    /// <summary>y[rows, out] = epilogue(x[rows, in] · Wᵀ + b).</summary>
    public void Forward(ParallelKernels k, ReadOnlySpan<float> x, int rows, Span<float> y, Epilogue epilogue = Epilogue.None) =>
        k.Linear(x[..(rows * In)], rows, weight, bias, y[..(rows * Out)], epilogue, site);
}

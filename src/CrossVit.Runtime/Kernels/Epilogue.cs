namespace CrossVit.Runtime.Kernels;

/// <summary>Operation fused into the output store of <see cref="KernelSet.Linear(ReadOnlySpan{float}, int, PackedMatrix, ReadOnlySpan{float}, Span{float}, Epilogue)"/> and <c>KernelSet.Conv2d</c>.</summary>
public enum Epilogue
{
    /// <summary>y = x·Wᵀ + bias.</summary>
    None,

    /// <summary>y = gelu(x·Wᵀ + bias), exact erf GELU.</summary>
    Gelu,

    /// <summary>y = max(0, x·Wᵀ + bias).</summary>
    Relu,

    /// <summary>y += x·Wᵀ + bias (residual add in place).</summary>
    Accumulate,
}

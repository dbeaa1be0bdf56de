namespace CrossVit.Runtime.Kernels;

/// <summary>Interpolation of <c>KernelSet.Resize</c>, as torch's <c>interpolate(mode=...)</c>.</summary>
public enum ResizeMode
{
    /// <summary>Cubic convolution with A = -0.75.</summary>
    Bicubic,

    /// <summary>Linear in each axis.</summary>
    Bilinear,
}

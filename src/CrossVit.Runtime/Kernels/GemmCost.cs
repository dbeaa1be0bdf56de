namespace CrossVit.Runtime.Kernels;

/// <summary>
/// A GEMM as <see cref="Engine.BranchPartition"/> costs it: <paramref name="Rows"/> rows of one image, each of
/// <paramref name="In"/> features multiplied into <paramref name="Out"/>, split over all images' rows at once, or image
/// by image when <paramref name="PerImage"/> (the patch embedding's convolutions run so).
/// </summary>
internal readonly record struct GemmCost(int Rows, int In, int Out, bool PerImage = false)
{
    /// <summary>Weights: multiply-adds per row.</summary>
    public long Weights => (long)In * Out;
}

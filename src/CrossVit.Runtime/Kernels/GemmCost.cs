namespace CrossVit.Runtime.Kernels;

/// <summary>
/// A GEMM as <see cref="Engine.BranchPartition"/> costs it: <paramref name="Rows"/> rows of one image, each multiplied by
/// <paramref name="Weights"/> weights, split by row tiles over all images' rows at once, or image by image when
/// <paramref name="PerImage"/> (the patch embedding's convolutions run so).
/// </summary>
internal readonly record struct GemmCost(int Rows, long Weights, bool PerImage = false);

namespace CrossVit.Runtime.Engine;

/// <summary>
/// A GEMM as <see cref="BranchPartition"/> costs it: <paramref name="Rows"/> rows of one image, each multiplied by
/// <paramref name="Weights"/> weights, split by row tiles over all images' rows at once, or image by image when
/// <paramref name="PerImage"/> (the patch embedding's convolutions run so).
/// </summary>
internal readonly record struct GemmCost(int Rows, long Weights, bool PerImage = false);

/// <summary>
/// Attention of one image as <see cref="BranchPartition"/> costs it: <paramref name="Heads"/> heads of
/// <paramref name="Queries"/> queries over <paramref name="Keys"/> keys, each product of length <paramref name="Depth"/>
/// (the head dim; the whole width for the fusion's CLS attention, which folds the key weights onto its one query).
/// </summary>
internal readonly record struct AttentionCost(int Heads, int Queries, int Keys, int Depth);

/// <summary>
/// The operations one branch runs in a part of the pass where the branches may run concurrently (the patch embedding,
/// a stage's ViT blocks, a stage's fusion). Norms and element-wise operations are left out: they are a few percent of
/// the time and split like the GEMMs around them.
/// </summary>
internal sealed record BranchCost(GemmCost[] Gemms, AttentionCost[] Attention)
{
    /// <summary>The operations of <paramref name="parts"/>, one after another.</summary>
    public static BranchCost Sum(IEnumerable<BranchCost> parts)
    {
        var list = parts.ToList();
        return new([.. list.SelectMany(p => p.Gemms)], [.. list.SelectMany(p => p.Attention)]);
    }
}

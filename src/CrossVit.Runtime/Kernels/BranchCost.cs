namespace CrossVit.Runtime.Kernels;

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

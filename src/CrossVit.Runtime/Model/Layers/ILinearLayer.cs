using CrossVit.Runtime.Kernels;

namespace CrossVit.Runtime.Model.Layers;

/// <summary>What the cost model and the FLOP count need of a linear layer, whole (<see cref="Linear"/>) or in groups (<see cref="LinearGroups"/>).</summary>
internal interface ILinearLayer
{
    /// <summary>Its multiply-adds over <paramref name="rows"/> rows.</summary>
    long MultiplyAdds(int rows);

    /// <summary>Its GEMM over <paramref name="rows"/> rows per image, for the branch scheduler.</summary>
    GemmCost Cost(int rows);
}

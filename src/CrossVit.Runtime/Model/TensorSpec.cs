namespace CrossVit.Runtime.Model;

/// <summary>One tensor a checkpoint must hold: timm's <c>state_dict</c> name and PyTorch shape.</summary>
public sealed record TensorSpec(string Name, IReadOnlyList<int> Shape)
{
    /// <summary>Number of elements.</summary>
    public long ElementCount => Shape.Aggregate(1L, (a, d) => a * d);
}

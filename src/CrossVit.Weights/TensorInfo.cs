namespace CrossVit.Weights;

/// <summary>One tensor's entry in a safetensors header.</summary>
/// <param name="Name">The tensor's name.</param>
/// <param name="DType">The element type.</param>
/// <param name="Shape">The dimensions, outermost first (row-major); empty for a scalar.</param>
/// <param name="DataStart">Start offset in bytes, relative to the start of the data section.</param>
/// <param name="DataEnd">End offset in bytes (exclusive), relative to the start of the data section.</param>
public sealed record TensorInfo(string Name, DType DType, IReadOnlyList<long> Shape, long DataStart, long DataEnd)
{
    /// <summary>The number of elements: the product of <see cref="Shape"/> (1 for a scalar).</summary>
    /// <exception cref="OverflowException">The product does not fit in a long (never for a parsed header).</exception>
    public long ElementCount => Shapes.TryGetElementCount(Shape, out long count)
        ? count
        : throw new OverflowException($"Tensor '{Name}': shape {Shapes.Format(Shape)} has a negative dimension or too many elements.");

    /// <summary>The number of bytes the tensor occupies: <see cref="DataEnd"/> - <see cref="DataStart"/>.</summary>
    public long ByteLength => DataEnd - DataStart;

    /// <summary>Value equality, comparing <see cref="Shape"/> element by element.</summary>
    public bool Equals(TensorInfo? other) =>
        other is not null
        && Name == other.Name
        && DType == other.DType
        && Shape.SequenceEqual(other.Shape)
        && DataStart == other.DataStart
        && DataEnd == other.DataEnd;

    /// <summary>A hash consistent with <see cref="Equals(TensorInfo?)"/>.</summary>
    public override int GetHashCode() => HashCode.Combine(Name, DType, Shape.Count, DataStart, DataEnd);

    /// <summary>E.g. "blocks.0.attn.qkv.weight F32 [384, 128] @ [0, 196608)".</summary>
    public override string ToString() => $"{Name} {DTypes.ToSafetensorsName(DType)} {Shapes.Format(Shape)} @ [{DataStart}, {DataEnd})";
}

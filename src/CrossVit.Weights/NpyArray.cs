namespace CrossVit.Weights;

/// <summary>A decoded .npy array in C (row-major) order.</summary>
public sealed class NpyArray
{
    private readonly NpyHeader _header;
    private readonly byte[] _data;

    internal NpyArray(NpyHeader header, byte[] data)
    {
        _header = header;
        _data = data;
    }

    /// <summary>The dimensions, outermost first; empty for a scalar.</summary>
    public IReadOnlyList<int> Shape => _header.Shape;

    /// <summary>The numpy type string, e.g. "&lt;f4" or "|u1".</summary>
    public string Descr => _header.Descr;

    /// <summary>The element type <see cref="Descr"/> denotes.</summary>
    public DType DType => _header.DType;

    /// <summary>Always <see langword="false"/>: Fortran-order files are rejected when read.</summary>
    public bool FortranOrder => false;

    /// <summary>The number of elements: the product of <see cref="Shape"/> (1 for a scalar).</summary>
    public long ElementCount => _header.ElementCount;

    /// <summary>The elements converted to float32 (integers and booleans by value).</summary>
    public float[] ToFloat32()
    {
        var values = new float[ElementCount];
        CopyTo(values);
        return values;
    }

    /// <summary>
    /// The elements converted to float32 (as <see cref="ToFloat32"/>), written to the first <see cref="ElementCount"/>
    /// floats of <paramref name="destination"/>: a pooled buffer, say.
    /// </summary>
    /// <exception cref="ArgumentException"><paramref name="destination"/> is shorter than <see cref="ElementCount"/>.</exception>
    public void CopyTo(Span<float> destination)
    {
        if (destination.Length < ElementCount)
            throw new ArgumentException($"The destination holds {destination.Length} floats; the array has {ElementCount} elements.", nameof(destination));
        ElementConversion.ToFloat32(DType, _data, destination[..(int)ElementCount]);
    }

    /// <summary>A copy of the elements of a "|u1" array.</summary>
    /// <exception cref="TensorFormatException">The array is not "|u1".</exception>
    public byte[] ToUInt8() =>
        DType == DType.U8
            ? (byte[])_data.Clone()
            : throw new TensorFormatException($".npy array has descr '{Descr}'; expected '|u1' for uint8 access.");
}

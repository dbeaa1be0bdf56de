using System.Buffers.Binary;
using System.Text.Json;

namespace CrossVit.Weights;

/// <summary>
/// Builds a safetensors file: tensors are laid out contiguously in the order added, and the header JSON is padded
/// with spaces to a multiple of 8 bytes, as the reference Rust implementation does.
/// </summary>
public sealed class SafetensorsWriter
{
    private const int HeaderAlignment = 8;

    private readonly List<(string Name, DType DType, long[] Shape, byte[] Data)> _tensors = [];
    private readonly HashSet<string> _names = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _metadata = new(StringComparer.Ordinal);

    /// <summary>Adds a tensor, converting float32 <paramref name="values"/> (row-major) to <paramref name="dtype"/>.</summary>
    /// <param name="name">A name not yet used in this writer (and not "__metadata__").</param>
    /// <param name="dtype">F64, F32, F16 or BF16; F16 and BF16 round to nearest, ties to even.</param>
    /// <param name="shape">Non-negative dimensions whose product is <paramref name="values"/>.Length.</param>
    /// <param name="values">The elements.</param>
    /// <returns>This writer, for chaining.</returns>
    /// <exception cref="ArgumentException">Duplicate name, non-float dtype, or a shape that does not match the values.</exception>
    public SafetensorsWriter Add(string name, DType dtype, IReadOnlyList<long> shape, ReadOnlySpan<float> values)
    {
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(shape);
        if (name == "__metadata__")
        {
            throw new ArgumentException("'__metadata__' is reserved for metadata; expected a tensor name.", nameof(name));
        }

        if (!DTypes.IsFloatingPoint(dtype))
        {
            throw new ArgumentException($"Tensor '{name}': cannot write float32 values as {dtype}; expected F64, F32, F16 or BF16.", nameof(dtype));
        }

        if (!Shapes.TryGetElementCount(shape, out long count) || count != values.Length)
        {
            throw new ArgumentException(
                $"Tensor '{name}': shape {Shapes.Format(shape)} does not describe {values.Length} values; expected non-negative dimensions with that product.",
                nameof(shape));
        }

        if (!_names.Add(name))
        {
            throw new ArgumentException($"A tensor named '{name}' was already added; expected unique names.", nameof(name));
        }

        var data = new byte[values.Length * DTypes.SizeOf(dtype)];
        ElementConversion.FromFloat32(dtype, values, data);
        _tensors.Add((name, dtype, shape.ToArray(), data));
        return this;
    }

    /// <summary>Adds a "__metadata__" entry.</summary>
    /// <returns>This writer, for chaining.</returns>
    /// <exception cref="ArgumentException"><paramref name="key"/> was already added.</exception>
    public SafetensorsWriter AddMetadata(string key, string value)
    {
        ArgumentNullException.ThrowIfNull(key);
        ArgumentNullException.ThrowIfNull(value);
        if (!_metadata.TryAdd(key, value))
        {
            throw new ArgumentException($"Metadata key '{key}' was already added; expected unique keys.", nameof(key));
        }

        return this;
    }

    /// <summary>Writes the file to <paramref name="path"/>, replacing any existing file atomically (<see cref="AtomicFile"/>).</summary>
    public void Save(string path)
    {
        using var file = AtomicFile.Create(path);
        Save(file.Stream);
        file.Commit();
    }

    /// <summary>Writes the file to <paramref name="stream"/> at its current position.</summary>
    public void Save(Stream stream)
    {
        ArgumentNullException.ThrowIfNull(stream);
        Write(stream, BuildHeader());
    }

    /// <summary>The complete file as a byte array.</summary>
    /// <exception cref="InvalidOperationException">The file would exceed the largest byte array (about 2 GB); use <see cref="Save(string)"/>.</exception>
    public byte[] ToArray()
    {
        byte[] header = BuildHeader();
        long length = 8L + header.Length + _tensors.Sum(t => (long)t.Data.Length);
        if (length > Array.MaxLength)
        {
            throw new InvalidOperationException($"The file would be {length:N0} bytes; a byte array holds at most {Array.MaxLength:N0}. Save it to a file instead.");
        }

        // Sized exactly, so its buffer is the file: a growing stream would copy a model's weights several times over.
        using var stream = new MemoryStream((int)length);
        Write(stream, header);
        return stream.GetBuffer();
    }

    /// <summary>The header's length, the header, then every tensor's bytes in the order they were added.</summary>
    private void Write(Stream stream, byte[] header)
    {
        Span<byte> prefix = stackalloc byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(prefix, (ulong)header.Length);
        stream.Write(prefix);
        stream.Write(header);
        foreach (var tensor in _tensors)
        {
            stream.Write(tensor.Data);
        }
    }

    private byte[] BuildHeader()
    {
        using var json = new MemoryStream();
        using (var writer = new Utf8JsonWriter(json))
        {
            writer.WriteStartObject();
            if (_metadata.Count > 0)
            {
                writer.WriteStartObject("__metadata__");
                foreach (var (key, value) in _metadata)
                {
                    writer.WriteString(key, value);
                }

                writer.WriteEndObject();
            }

            long offset = 0;
            foreach (var (name, dtype, shape, data) in _tensors)
            {
                writer.WriteStartObject(name);
                writer.WriteString("dtype", DTypes.ToSafetensorsName(dtype));
                WriteArray(writer, "shape", shape);
                WriteArray(writer, "data_offsets", [offset, offset + data.Length]);
                writer.WriteEndObject();
                offset += data.Length;
            }

            writer.WriteEndObject();
        }

        // Padding keeps the data section 8-byte aligned.
        int padding = (HeaderAlignment - (int)(json.Length % HeaderAlignment)) % HeaderAlignment;
        for (int i = 0; i < padding; i++)
        {
            json.WriteByte((byte)' ');
        }

        return json.ToArray();
    }

    private static void WriteArray(Utf8JsonWriter writer, string name, IEnumerable<long> values)
    {
        writer.WriteStartArray(name);
        foreach (long value in values)
        {
            writer.WriteNumberValue(value);
        }

        writer.WriteEndArray();
    }
}

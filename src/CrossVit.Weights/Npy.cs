namespace CrossVit.Weights;

/// <summary>Reads and writes numpy .npy files (versions 1.0 to 3.0, C order, little-endian).</summary>
public static class Npy
{
    private const int CopyChunk = 1 << 20;

    /// <summary>Reads a .npy file.</summary>
    /// <exception cref="TensorFormatException">The file is malformed or unsupported.</exception>
    public static NpyArray Read(string path)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read);
        return Read(stream);
    }

    /// <summary>Reads one .npy array from <paramref name="stream"/>, leaving it just past the array's data.</summary>
    /// <exception cref="TensorFormatException">The stream is malformed or unsupported, or ends early.</exception>
    public static NpyArray Read(Stream stream)
    {
        ArgumentNullException.ThrowIfNull(stream);
        byte[] magicAndVersion = ReadBytes(stream, NpyHeader.MagicAndVersionLength, "magic string and version");
        int fieldSize = NpyHeader.ReadLengthFieldSize(magicAndVersion);
        int headerLength = NpyHeader.ReadHeaderLength(ReadBytes(stream, fieldSize, "header length"));
        var header = NpyHeader.Parse(ReadBytes(stream, headerLength, "header"));
        return new NpyArray(header, ReadBytes(stream, header.DataLength, "data"));
    }

    /// <summary>Decodes a .npy file held in memory; the data is copied.</summary>
    /// <exception cref="TensorFormatException">The bytes are malformed or unsupported.</exception>
    public static NpyArray Parse(ReadOnlySpan<byte> bytes)
    {
        int fieldSize = NpyHeader.ReadLengthFieldSize(bytes);
        var rest = bytes[NpyHeader.MagicAndVersionLength..];
        int headerLength = NpyHeader.ReadHeaderLength(Take(ref rest, fieldSize, "header length"));
        var header = NpyHeader.Parse(Take(ref rest, headerLength, "header"));
        return new NpyArray(header, Take(ref rest, header.DataLength, "data").ToArray());
    }

    /// <summary>
    /// Writes float32 data as a version 1.0, C-order '&lt;f4' .npy file with the header padded to 64 bytes, as numpy does.
    /// </summary>
    /// <exception cref="ArgumentException"><paramref name="shape"/> has a negative dimension or does not match <paramref name="data"/>.</exception>
    /// <remarks>The file is replaced atomically (<see cref="AtomicFile"/>): a failure leaves no partial file.</remarks>
    public static void Write(string path, IReadOnlyList<int> shape, ReadOnlySpan<float> data)
    {
        using var file = AtomicFile.Create(path);
        Write(file.Stream, shape, data);
        file.Commit();
    }

    /// <inheritdoc cref="Write(string, IReadOnlyList{int}, ReadOnlySpan{float})"/>
    public static void Write(Stream stream, IReadOnlyList<int> shape, ReadOnlySpan<float> data)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(shape);
        if (!Shapes.TryGetElementCount(shape.Select(d => (long)d), out long count) || count != data.Length)
        {
            throw new ArgumentException(
                $"Shape {Shapes.Format(shape)} does not describe {data.Length} values; expected non-negative dimensions with that product.",
                nameof(shape));
        }

        stream.Write(NpyHeader.FormatFloat32(shape));
        var bytes = new byte[data.Length * sizeof(float)];
        ElementConversion.FromFloat32(DType.F32, data, bytes);
        stream.Write(bytes);
    }

    private static ReadOnlySpan<byte> Take(ref ReadOnlySpan<byte> rest, long count, string what)
    {
        if (count > rest.Length)
        {
            throw new TensorFormatException($".npy {what} needs {count} bytes but only {rest.Length} remain.");
        }

        var taken = rest[..(int)count];
        rest = rest[(int)count..];
        return taken;
    }

    /// <summary>Reads exactly <paramref name="count"/> bytes, growing the buffer only as data arrives so a lying header cannot force a huge allocation.</summary>
    private static byte[] ReadBytes(Stream stream, long count, string what)
    {
        if (count > Array.MaxLength)
        {
            throw new TensorFormatException($".npy {what} is {count} bytes; arrays are limited to {Array.MaxLength} bytes.");
        }

        using var buffer = new MemoryStream((int)Math.Min(count, CopyChunk));
        var chunk = new byte[Math.Min(count, CopyChunk)];
        while (buffer.Length < count)
        {
            int read = stream.Read(chunk, 0, (int)Math.Min(chunk.Length, count - buffer.Length));
            if (read == 0)
            {
                throw new TensorFormatException($".npy {what} needs {count} bytes but the stream ended after {buffer.Length}.");
            }

            buffer.Write(chunk, 0, read);
        }

        return buffer.ToArray();
    }
}

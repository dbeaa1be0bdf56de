using System.IO.MemoryMappedFiles;

namespace CrossVit.Weights;

/// <summary>
/// A read-only safetensors file, either memory-mapped (<see cref="Open"/>) or in memory (<see cref="FromBytes"/>).
/// The whole header is validated on opening; tensor data is only touched when read.
/// </summary>
/// <remarks>Not thread-safe against <see cref="Dispose"/>; concurrent reads are fine.</remarks>
public sealed unsafe class SafetensorsFile : IDisposable
{
    private readonly SafetensorsHeader _header;
    private readonly Dictionary<string, TensorInfo> _byName;
    private readonly ReadOnlyMemory<byte> _bytes;
    private readonly MemoryMappedFile? _map;
    private readonly MemoryMappedViewAccessor? _view;
    private byte* _mapped;
    private bool _disposed;

    private SafetensorsFile(SafetensorsHeader header, ReadOnlyMemory<byte> bytes, MemoryMappedFile? map, MemoryMappedViewAccessor? view, byte* mapped)
    {
        _header = header;
        _byName = header.Tensors.ToDictionary(t => t.Name, StringComparer.Ordinal);
        _bytes = bytes;
        _map = map;
        _view = view;
        _mapped = mapped;
    }

    /// <summary>The "__metadata__" string pairs; empty if the header has none.</summary>
    public IReadOnlyDictionary<string, string> Metadata => _header.Metadata;

    /// <summary>All tensors, ordered by their position in the data section (<see cref="TensorInfo.DataStart"/>; ties in header order).</summary>
    public IReadOnlyList<TensorInfo> Tensors => _header.Tensors;

    /// <summary>Memory-maps a safetensors file read-only and validates its header. Nothing of the data is copied.</summary>
    /// <exception cref="TensorFormatException">The file is malformed.</exception>
    public static SafetensorsFile Open(string path)
    {
        var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read);
        long length = stream.Length;
        try
        {
            // An empty file cannot be mapped, so this check comes first.
            SafetensorsHeader.CheckMinimumLength(length);
        }
        catch
        {
            stream.Dispose();
            throw;
        }

        var map = MemoryMappedFile.CreateFromFile(stream, null, 0, MemoryMappedFileAccess.Read, HandleInheritability.None, leaveOpen: false);
        MemoryMappedViewAccessor? view = null;
        byte* mapped = null;
        try
        {
            view = map.CreateViewAccessor(0, 0, MemoryMappedFileAccess.Read);
            view.SafeMemoryMappedViewHandle.AcquirePointer(ref mapped);
            mapped += view.PointerOffset;
            var prefix = new ReadOnlySpan<byte>(mapped, SafetensorsHeader.LengthPrefixSize);
            int headerLength = SafetensorsHeader.ReadHeaderLength(prefix, length);
            var json = new ReadOnlySpan<byte>(mapped + SafetensorsHeader.LengthPrefixSize, headerLength);
            var header = SafetensorsHeader.Parse(json, length - SafetensorsHeader.LengthPrefixSize - headerLength);
            return new SafetensorsFile(header, default, map, view, mapped);
        }
        catch
        {
            if (mapped != null)
            {
                view!.SafeMemoryMappedViewHandle.ReleasePointer();
            }

            view?.Dispose();
            map.Dispose();
            throw;
        }
    }

    /// <summary>Reads a safetensors file held in memory. The bytes are not copied and must not change while in use.</summary>
    /// <exception cref="TensorFormatException">The bytes are not a valid safetensors file.</exception>
    public static SafetensorsFile FromBytes(ReadOnlyMemory<byte> bytes)
    {
        var span = bytes.Span;
        int headerLength = SafetensorsHeader.ReadHeaderLength(span, span.Length);
        var json = span.Slice(SafetensorsHeader.LengthPrefixSize, headerLength);
        var header = SafetensorsHeader.Parse(json, span.Length - SafetensorsHeader.LengthPrefixSize - headerLength);
        return new SafetensorsFile(header, bytes, null, null, null);
    }

    /// <summary>Looks up a tensor by name.</summary>
    public bool TryGetTensor(string name, out TensorInfo info) => _byName.TryGetValue(name, out info!);

    /// <summary>Looks up a tensor by name.</summary>
    /// <exception cref="KeyNotFoundException">There is no tensor called <paramref name="name"/>.</exception>
    public TensorInfo GetTensor(string name) =>
        _byName.TryGetValue(name, out var info)
            ? info
            : throw new KeyNotFoundException($"The safetensors file has no tensor named '{name}' ({_byName.Count} tensors present).");

    /// <summary>
    /// The tensor's stored bytes (little-endian, row-major). For a memory-mapped file the span points into the mapping
    /// and is valid only until <see cref="Dispose"/>.
    /// </summary>
    /// <exception cref="ArgumentException"><paramref name="tensor"/> does not describe a tensor of this file.</exception>
    /// <exception cref="NotSupportedException">The tensor is 2 GiB or larger.</exception>
    public ReadOnlySpan<byte> GetRawBytes(TensorInfo tensor)
    {
        ArgumentNullException.ThrowIfNull(tensor);
        ObjectDisposedException.ThrowIf(_disposed, this);

        // Offsets are trusted only after they were validated, i.e. when they are this file's own.
        if (!_byName.TryGetValue(tensor.Name, out var own) || !own.Equals(tensor))
        {
            throw new ArgumentException($"Tensor '{tensor.Name}' with these offsets is not part of this safetensors file.", nameof(tensor));
        }

        if (own.ByteLength > int.MaxValue)
        {
            throw new NotSupportedException($"Tensor '{own.Name}' is {own.ByteLength} bytes; spans are limited to {int.MaxValue} bytes.");
        }

        long start = _header.DataOffset + own.DataStart;
        return _view is null
            ? _bytes.Span.Slice((int)start, (int)own.ByteLength)
            : new ReadOnlySpan<byte>(_mapped + start, (int)own.ByteLength);
    }

    /// <summary>Reads a floating-point tensor (F64, F32, F16 or BF16) converted to float32.</summary>
    /// <exception cref="KeyNotFoundException">There is no tensor called <paramref name="name"/>.</exception>
    /// <exception cref="TensorFormatException">The tensor is not of a floating-point dtype.</exception>
    public float[] ReadFloat32(string name)
    {
        var info = GetTensor(name);
        var values = new float[info.ElementCount];
        ReadFloat32(info, values);
        return values;
    }

    /// <summary>Reads a floating-point tensor (F64, F32, F16 or BF16) converted to float32 into <paramref name="destination"/>.</summary>
    /// <exception cref="ArgumentException"><paramref name="destination"/>'s length is not the tensor's element count.</exception>
    /// <exception cref="KeyNotFoundException">There is no tensor called <paramref name="name"/>.</exception>
    /// <exception cref="TensorFormatException">The tensor is not of a floating-point dtype.</exception>
    public void ReadFloat32(string name, Span<float> destination) => ReadFloat32(GetTensor(name), destination);

    /// <summary>Releases the memory mapping; spans obtained from <see cref="GetRawBytes"/> become invalid.</summary>
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        if (_view is not null)
        {
            _mapped = null;
            _view.SafeMemoryMappedViewHandle.ReleasePointer();
            _view.Dispose();
        }

        _map?.Dispose();
    }

    private void ReadFloat32(TensorInfo info, Span<float> destination)
    {
        if (!DTypes.IsFloatingPoint(info.DType))
        {
            throw new TensorFormatException(
                $"Tensor '{info.Name}' has dtype {DTypes.ToSafetensorsName(info.DType)}; only F64, F32, F16 and BF16 convert to float32.");
        }

        if (destination.Length != info.ElementCount)
        {
            throw new ArgumentException(
                $"Tensor '{info.Name}' has {info.ElementCount} elements (shape {Shapes.Format(info.Shape)}); the destination holds {destination.Length}.",
                nameof(destination));
        }

        ElementConversion.ToFloat32(info.DType, GetRawBytes(info), destination);
    }
}

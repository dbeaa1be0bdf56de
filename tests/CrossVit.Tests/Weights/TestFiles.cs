using System.Buffers.Binary;
using System.Text;

namespace CrossVit.Tests.Weights;

/// <summary>Hand-built test inputs.</summary>
internal static class TestFiles
{
    /// <summary>A safetensors file with the given header text (unpadded) and data section.</summary>
    public static byte[] Safetensors(string headerJson, byte[]? data = null)
    {
        byte[] header = Encoding.UTF8.GetBytes(headerJson);
        return WithLengthPrefix((ulong)header.Length, [.. header, .. data ?? []]);
    }

    /// <summary>An 8-byte little-endian length followed by <paramref name="rest"/>, whatever the length says.</summary>
    public static byte[] WithLengthPrefix(ulong length, byte[] rest)
    {
        var bytes = new byte[8 + rest.Length];
        BinaryPrimitives.WriteUInt64LittleEndian(bytes, length);
        rest.CopyTo(bytes, 8);
        return bytes;
    }

    /// <summary>A .npy file (version 1.0) with the given header dict text and data.</summary>
    public static byte[] Npy(string dict, byte[] data, byte majorVersion = 1)
    {
        byte[] header = Encoding.ASCII.GetBytes(dict + "\n");
        int fieldSize = majorVersion == 1 ? 2 : 4;
        var bytes = new List<byte> { 0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y', majorVersion, 0 };
        var length = new byte[fieldSize];
        if (fieldSize == 2)
        {
            BinaryPrimitives.WriteUInt16LittleEndian(length, (ushort)header.Length);
        }
        else
        {
            BinaryPrimitives.WriteUInt32LittleEndian(length, (uint)header.Length);
        }

        bytes.AddRange(length);
        bytes.AddRange(header);
        bytes.AddRange(data);
        return [.. bytes];
    }

    /// <summary>A temporary file path that is deleted on dispose.</summary>
    public sealed class TempFile : IDisposable
    {
        public string Path { get; } = System.IO.Path.Combine(System.IO.Path.GetTempPath(), $"crossvit-weights-{Guid.NewGuid():N}.tmp");

        public void Dispose() => File.Delete(Path);
    }
}

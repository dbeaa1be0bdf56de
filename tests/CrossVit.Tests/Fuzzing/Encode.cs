using System.Buffers.Binary;
using System.Text;

namespace CrossVit.Tests.Fuzzing;

/// <summary>Minimal writers of valid BMP, PNM and .npy seeds (the PNG ones come from <c>TestPngEncoder</c>).</summary>
internal static class Encode
{
    private static byte Sample(int i) => (byte)((i * 37) + 11);

    /// <summary>An uncompressed 24- or 32-bit BMP with rows padded to 4 bytes.</summary>
    public static byte[] Bmp(int width, int height, int bits, bool topDown, bool coreHeader)
    {
        int infoSize = coreHeader ? 12 : 40, stride = ((width * bits) + 31) / 32 * 4, offset = 14 + infoSize;
        var bmp = new byte[offset + (stride * height)];
        bmp[0] = (byte)'B';
        bmp[1] = (byte)'M';
        BinaryPrimitives.WriteInt32LittleEndian(bmp.AsSpan(2), bmp.Length);
        BinaryPrimitives.WriteInt32LittleEndian(bmp.AsSpan(10), offset);
        BinaryPrimitives.WriteInt32LittleEndian(bmp.AsSpan(14), infoSize);
        if (coreHeader)
        {
            BinaryPrimitives.WriteUInt16LittleEndian(bmp.AsSpan(18), (ushort)width);
            BinaryPrimitives.WriteUInt16LittleEndian(bmp.AsSpan(20), (ushort)height);
            BinaryPrimitives.WriteUInt16LittleEndian(bmp.AsSpan(22), 1);
            BinaryPrimitives.WriteUInt16LittleEndian(bmp.AsSpan(24), (ushort)bits);
        }
        else
        {
            BinaryPrimitives.WriteInt32LittleEndian(bmp.AsSpan(18), width);
            BinaryPrimitives.WriteInt32LittleEndian(bmp.AsSpan(22), topDown ? -height : height);
            BinaryPrimitives.WriteUInt16LittleEndian(bmp.AsSpan(26), 1);
            BinaryPrimitives.WriteUInt16LittleEndian(bmp.AsSpan(28), (ushort)bits);
        }
        for (int i = offset; i < bmp.Length; i++) bmp[i] = Sample(i);
        return bmp;
    }

    /// <summary>A binary PGM (P5) or PPM (P6); samples take two bytes when maxval exceeds 255.</summary>
    public static byte[] Pnm(string magic, int width, int height, int maxval)
    {
        int bytes = width * height * (magic == "P6" ? 3 : 1) * (maxval > 255 ? 2 : 1);
        return [.. Encoding.ASCII.GetBytes($"{magic}\n{width} {height}\n{maxval}\n"), .. Enumerable.Range(0, bytes).Select(i => (byte)(Sample(i) % (Math.Min(maxval, 255) + 1)))];
    }

    public static byte[] NpyFloat32(int[] shape, float[] values)
    {
        using var stream = new MemoryStream();
        CrossVit.Weights.Npy.Write(stream, shape, values);
        return stream.ToArray();
    }
}

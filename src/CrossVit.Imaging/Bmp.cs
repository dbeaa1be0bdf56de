using System.Buffers.Binary;

namespace CrossVit.Imaging;

/// <summary>Uncompressed (BI_RGB) 24- and 32-bit Windows bitmaps, bottom-up or top-down.</summary>
internal static class Bmp
{
    private const int FileHeaderSize = 14;

    public static RgbImage Decode(ReadOnlySpan<byte> data, DecodeLimits limits)
    {
        if (data.Length < FileHeaderSize + 12)
        {
            throw new ImageFormatException($"BMP: {data.Length} bytes is too short for the file and info headers.");
        }

        uint pixelOffset = BinaryPrimitives.ReadUInt32LittleEndian(data[10..]);
        uint infoSize = BinaryPrimitives.ReadUInt32LittleEndian(data[FileHeaderSize..]);
        ReadOnlySpan<byte> info = data[FileHeaderSize..];
        long width, height;
        int bitsPerPixel;
        uint compression = 0;
        if (infoSize == 12)
        {
            // OS/2 BITMAPCOREHEADER: 16-bit unsigned dimensions, always bottom-up, never compressed.
            width = BinaryPrimitives.ReadUInt16LittleEndian(info[4..]);
            height = BinaryPrimitives.ReadUInt16LittleEndian(info[6..]);
            bitsPerPixel = BinaryPrimitives.ReadUInt16LittleEndian(info[10..]);
        }
        else if (infoSize is >= 40 and <= 124 && info.Length >= 20)
        {
            width = BinaryPrimitives.ReadInt32LittleEndian(info[4..]);
            height = BinaryPrimitives.ReadInt32LittleEndian(info[8..]);
            bitsPerPixel = BinaryPrimitives.ReadUInt16LittleEndian(info[14..]);
            compression = BinaryPrimitives.ReadUInt32LittleEndian(info[16..]);
        }
        else
        {
            throw new ImageFormatException($"BMP: info header of {infoSize} bytes is unsupported; expected 12 (core) or 40..124 (BITMAPINFOHEADER..V5).");
        }

        if (compression != 0 || bitsPerPixel is not (24 or 32))
        {
            throw new ImageFormatException($"BMP: {bitsPerPixel}-bit images with compression {compression} are unsupported; expected 24- or 32-bit BI_RGB (0).");
        }

        // A negative height marks a top-down bitmap.
        bool topDown = height < 0;
        height = Math.Abs(height);
        limits.Check(width, height, "BMP");
        int bytesPerPixel = bitsPerPixel / 8;
        long stride = ((width * bitsPerPixel) + 31) / 32 * 4;
        if (pixelOffset > data.Length || stride * height > data.Length - pixelOffset)
        {
            throw new ImageFormatException($"BMP: pixel data at offset {pixelOffset} needs {stride * height} bytes but the file has {data.Length}; it is truncated.");
        }

        int w = (int)width, h = (int)height;
        var pixels = new byte[(long)w * h * 3];
        for (int y = 0; y < h; y++)
        {
            ReadOnlySpan<byte> row = data.Slice((int)(pixelOffset + ((topDown ? y : h - 1 - y) * stride)), w * bytesPerPixel);
            int o = y * w * 3;
            for (int x = 0; x < w; x++, o += 3)
            {
                // Stored as B, G, R (and an unused fourth byte at 32 bits).
                int p = x * bytesPerPixel;
                pixels[o] = row[p + 2];
                pixels[o + 1] = row[p + 1];
                pixels[o + 2] = row[p];
            }
        }

        return new RgbImage(w, h, pixels);
    }
}

using System.Buffers.Binary;

namespace CrossVit.Imaging.Png;

/// <summary>The validated contents of an IHDR chunk.</summary>
internal sealed record PngHeader(int Width, int Height, int BitDepth, int ColorType, bool Interlaced)
{
    /// <summary>Samples per pixel for the colour type.</summary>
    public int Channels => ColorType switch
    {
        0 => 1,
        2 => 3,
        3 => 1,
        4 => 2,
        _ => 4,
    };

    /// <summary>Bytes per complete pixel as the filters count them (at least one).</summary>
    public int FilterBytesPerPixel => Math.Max(1, Channels * BitDepth / 8);

    /// <summary>Bytes in one unfiltered scanline of <paramref name="width"/> pixels, without the filter byte.</summary>
    public int RowBytes(int width) => (int)((((long)width * Channels * BitDepth) + 7) / 8);

    public static PngHeader Parse(ReadOnlySpan<byte> body, DecodeLimits limits)
    {
        if (body.Length != 13)
        {
            throw new ImageFormatException($"PNG: IHDR must be 13 bytes long, got {body.Length}.");
        }

        uint width = BinaryPrimitives.ReadUInt32BigEndian(body);
        uint height = BinaryPrimitives.ReadUInt32BigEndian(body[4..]);
        if (width > int.MaxValue || height > int.MaxValue)
        {
            throw new ImageFormatException($"PNG: IHDR dimensions {width}x{height} exceed 2^31-1.");
        }

        limits.Check(width, height, "PNG");
        int bitDepth = body[8];
        int colorType = body[9];
        bool depthOk = colorType switch
        {
            0 => bitDepth is 1 or 2 or 4 or 8 or 16,
            3 => bitDepth is 1 or 2 or 4 or 8,
            2 or 4 or 6 => bitDepth is 8 or 16,
            _ => throw new ImageFormatException($"PNG: invalid colour type {colorType}; expected 0, 2, 3, 4 or 6."),
        };
        if (!depthOk)
        {
            throw new ImageFormatException($"PNG: bit depth {bitDepth} is not allowed for colour type {colorType}.");
        }

        if (body[10] != 0 || body[11] != 0)
        {
            throw new ImageFormatException($"PNG: compression method {body[10]} / filter method {body[11]} unsupported; expected 0 / 0.");
        }

        if (body[12] > 1)
        {
            throw new ImageFormatException($"PNG: interlace method {body[12]} unsupported; expected 0 (none) or 1 (Adam7).");
        }

        return new PngHeader((int)width, (int)height, bitDepth, colorType, body[12] == 1);
    }
}

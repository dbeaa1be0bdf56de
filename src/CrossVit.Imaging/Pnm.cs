namespace CrossVit.Imaging;

/// <summary>Binary PGM (P5) and PPM (P6), with Pillow's handling of maxval other than 255.</summary>
internal static class Pnm
{
    public static RgbImage Decode(ReadOnlySpan<byte> data, DecodeLimits limits)
    {
        bool color = data[1] == (byte)'6';
        int pos = 2;
        if (pos >= data.Length || !IsWhitespace(data[pos]))
        {
            throw new ImageFormatException("PNM: magic number must be followed by whitespace.");
        }

        long width = ReadNumber(data, ref pos, "width");
        long height = ReadNumber(data, ref pos, "height");
        long maxval = ReadNumber(data, ref pos, "maxval");

        // The single whitespace byte after maxval ends the header.
        pos++;
        if (maxval is < 1 or > 65535)
        {
            throw new ImageFormatException($"PNM: maxval {maxval} is invalid; expected 1..65535.");
        }

        limits.Check(width, height, "PNM");
        int channels = color ? 3 : 1;
        int bytesPerSample = maxval < 256 ? 1 : 2;
        long needed = width * height * channels * bytesPerSample;
        if (pos > data.Length || data.Length - pos < needed)
        {
            throw new ImageFormatException($"PNM: raster needs {needed} bytes after the header but only {Math.Max(data.Length - pos, 0)} remain; the file is truncated.");
        }

        byte[] lut = SampleTable((int)maxval, color);
        int count = (int)(width * height);
        var pixels = new byte[(long)count * 3];
        ReadOnlySpan<byte> raster = data[pos..];
        for (int i = 0; i < count; i++)
        {
            for (int c = 0; c < 3; c++)
            {
                int s = (i * channels) + (color ? c : 0);
                int value = bytesPerSample == 1 ? raster[s] : (raster[2 * s] << 8) | raster[(2 * s) + 1];
                pixels[(3 * i) + c] = lut[value];
            }
        }

        return new RgbImage((int)width, (int)height, pixels);
    }

    /// <summary>
    /// Maps every possible stored sample to the 8-bit value PIL ends up with after <c>convert('RGB')</c>.
    /// Pillow rescales with <c>min(out_max, round(v / maxval * out_max))</c> (banker's rounding), where out_max is 255,
    /// except for 16-bit PGM, which it opens as mode "I" with out_max 65535; converting "I" to RGB then clips at 255,
    /// so such images come out nearly white. We reproduce that rather than "fix" it, to stay identical to PIL.
    /// </summary>
    private static byte[] SampleTable(int maxval, bool color)
    {
        int entries = maxval < 256 ? 256 : 65536;
        double outMax = !color && maxval > 255 ? 65535 : 255;
        var lut = new byte[entries];
        for (int v = 0; v < entries; v++)
        {
            double scaled = maxval == 255 ? v : Math.Min(outMax, Math.Round(v / (double)maxval * outMax, MidpointRounding.ToEven));
            lut[v] = (byte)Math.Min(scaled, 255);
        }

        return lut;
    }

    /// <summary>Reads a decimal header field, skipping whitespace and '#' comments, and the whitespace byte that ends it.</summary>
    private static long ReadNumber(ReadOnlySpan<byte> data, ref int pos, string field)
    {
        while (pos < data.Length && (IsWhitespace(data[pos]) || data[pos] == (byte)'#'))
        {
            if (data[pos] == (byte)'#')
            {
                while (pos < data.Length && data[pos] != (byte)'\n' && data[pos] != (byte)'\r')
                {
                    pos++;
                }
            }

            pos++;
        }

        long value = 0;
        int digits = 0;
        while (pos < data.Length && char.IsAsciiDigit((char)data[pos]))
        {
            if (++digits > 10)
            {
                throw new ImageFormatException($"PNM: {field} has more than 10 digits.");
            }

            value = (value * 10) + (data[pos++] - '0');
        }

        if (digits == 0 || (pos < data.Length && !IsWhitespace(data[pos])))
        {
            throw new ImageFormatException($"PNM: expected a decimal {field} in the header at byte {pos}.");
        }

        return value;
    }

    private static bool IsWhitespace(byte b) => b is (byte)' ' or (byte)'\t' or (byte)'\n' or 0x0B or 0x0C or (byte)'\r';
}

namespace CrossVit.Imaging.Png;

/// <summary>Turns one unfiltered scanline into RGB bytes the way PIL's <c>convert('RGB')</c> would.</summary>
internal static class PngRowConverter
{
    /// <summary>
    /// Converts <paramref name="width"/> pixels of <paramref name="row"/> into <paramref name="rgb"/> (3 bytes per pixel);
    /// <paramref name="palette"/> (768 bytes, unused entries black) is required for colour type 3.
    /// </summary>
    public static void ToRgb(ReadOnlySpan<byte> row, int width, PngHeader header, byte[]? palette, Span<byte> rgb)
    {
        int depth = header.BitDepth;
        switch (header.ColorType)
        {
            case 0 when depth < 8:
                // PIL's "1", "L;2" and "L;4" unpackers stretch the sample to 0..255 (x255, x85, x17).
                int scale = 255 / ((1 << depth) - 1);
                for (int x = 0; x < width; x++)
                {
                    byte v = (byte)(Sample(row, x, depth) * scale);
                    rgb[3 * x] = rgb[(3 * x) + 1] = rgb[(3 * x) + 2] = v;
                }

                break;
            case 0 when depth == 16:
                // PIL opens 16-bit gray as "I;16" and its I;16 -> RGB conversion saturates: values above 255 become 255
                // rather than being scaled. We reproduce that so the pipeline matches PIL, odd as it is.
                for (int x = 0; x < width; x++)
                {
                    byte v = row[2 * x] != 0 ? (byte)255 : row[(2 * x) + 1];
                    rgb[3 * x] = rgb[(3 * x) + 1] = rgb[(3 * x) + 2] = v;
                }

                break;
            case 3:
                for (int x = 0; x < width; x++)
                {
                    int index = depth == 8 ? row[x] : Sample(row, x, depth);
                    palette.AsSpan(3 * index, 3).CopyTo(rgb.Slice(3 * x, 3));
                }

                break;
            default:
                // 8-bit gray, gray+alpha, RGB, RGBA, and their 16-bit forms, for which PIL keeps the most significant byte.
                // Alpha is dropped and gray replicated.
                int bytesPerSample = depth / 8;
                int stride = header.Channels * bytesPerSample;
                bool gray = header.ColorType is 0 or 4;
                for (int x = 0; x < width; x++)
                {
                    int p = x * stride;
                    rgb[3 * x] = row[p];
                    rgb[(3 * x) + 1] = gray ? row[p] : row[p + bytesPerSample];
                    rgb[(3 * x) + 2] = gray ? row[p] : row[p + (2 * bytesPerSample)];
                }

                break;
        }
    }

    /// <summary>The <paramref name="x"/>-th packed sub-byte sample, most significant bits first.</summary>
    private static int Sample(ReadOnlySpan<byte> row, int x, int depth)
    {
        int bit = x * depth;
        return (row[bit >> 3] >> (8 - depth - (bit & 7))) & ((1 << depth) - 1);
    }
}

namespace CrossVit.Imaging.Resampling;

/// <summary>
/// Pillow's antialiased bicubic resize for 8-bit images of one (<c>L</c>) or three (<c>RGB</c>) interleaved channels
/// (<c>ImagingResampleInner</c> with the 8bpc passes): horizontal pass first, then vertical, each accumulated in fixed
/// point and clipped to 0..255; a pass is skipped when its axis keeps its size.
/// </summary>
internal static class PilBicubic
{
    /// <summary>
    /// Returns the <c>[y0, y0 + height) × [x0, x0 + width)</c> window of the image resized to
    /// <paramref name="outWidth"/> × <paramref name="outHeight"/>, from interleaved <c>[sourceHeight, sourceWidth,
    /// channels]</c> bytes to interleaved <c>[height, width, channels]</c> ones. Every output pixel depends only on its
    /// own weights, so computing just the window gives the same values as resizing everything.
    /// </summary>
    public static byte[] ResizeWindow(
        byte[] source, int channels, int sourceWidth, int sourceHeight, int outWidth, int outHeight, int x0, int y0, int width, int height)
    {
        ResampleKernel? vertical = outHeight != sourceHeight ? ResampleKernel.Compute(sourceHeight, outHeight, y0, height) : null;
        int rowFirst = vertical?.MinInput ?? y0;
        int rowEnd = vertical?.EndInput ?? (y0 + height);
        int rows = rowEnd - rowFirst;

        byte[] intermediate = new byte[rows * width * channels];
        if (outWidth != sourceWidth)
        {
            ResampleKernel horizontal = ResampleKernel.Compute(sourceWidth, outWidth, x0, width);
            Horizontal(source, channels, sourceWidth * channels, rowFirst, rows, horizontal, intermediate);
        }
        else
        {
            for (int r = 0; r < rows; r++)
            {
                Array.Copy(source, (((rowFirst + r) * sourceWidth) + x0) * channels, intermediate, r * width * channels, width * channels);
            }
        }

        if (vertical is null)
        {
            return intermediate;
        }

        byte[] output = new byte[height * width * channels];
        Vertical(intermediate, width * channels, rowFirst, vertical, output);
        return output;
    }

    private static void Horizontal(byte[] source, int channels, int rowBytes, int rowFirst, int rows, ResampleKernel kernel, byte[] output)
    {
        const int half = 1 << (ResampleKernel.PrecisionBits - 1);
        int outWidth = kernel.Start.Length;
        int[] weights = kernel.Weights;
        for (int r = 0; r < rows; r++)
        {
            int rowBase = (rowFirst + r) * rowBytes;
            int outBase = r * outWidth * channels;
            for (int xx = 0; xx < outWidth; xx++)
            {
                int first = rowBase + (kernel.Start[xx] * channels);
                int k = xx * kernel.Stride;
                for (int c = 0; c < channels; c++)
                {
                    int s = half;
                    for (int t = 0, p = first + c; t < kernel.Count[xx]; t++, p += channels)
                    {
                        s += source[p] * weights[k + t];
                    }

                    output[outBase + (xx * channels) + c] = Clip8(s);
                }
            }
        }
    }

    private static void Vertical(byte[] input, int rowBytes, int rowFirst, ResampleKernel kernel, byte[] output)
    {
        const int half = 1 << (ResampleKernel.PrecisionBits - 1);
        int[] weights = kernel.Weights;
        for (int yy = 0; yy < kernel.Start.Length; yy++)
        {
            int first = kernel.Start[yy] - rowFirst;
            int k = yy * kernel.Stride;
            int outBase = yy * rowBytes;
            for (int i = 0; i < rowBytes; i++)
            {
                int s = half;
                int p = (first * rowBytes) + i;
                for (int t = 0; t < kernel.Count[yy]; t++, p += rowBytes)
                {
                    s += input[p] * weights[k + t];
                }

                output[outBase + i] = Clip8(s);
            }
        }
    }

    /// <summary>Pillow's <c>clip8</c>: drop the fraction bits (arithmetic shift), then saturate.</summary>
    private static byte Clip8(int value) => (byte)Math.Clamp(value >> ResampleKernel.PrecisionBits, 0, 255);
}

namespace CrossVit.Imaging.Resampling;

/// <summary>
/// Pillow's antialiased bicubic resize for 8-bit RGB (<c>ImagingResampleInner</c> with the 8bpc passes):
/// horizontal pass first, then vertical, each accumulated in fixed point and clipped to 0..255;
/// a pass is skipped when its axis keeps its size.
/// </summary>
internal static class PilBicubic
{
    /// <summary>
    /// Returns the <c>[y0, y0 + height) × [x0, x0 + width)</c> window of the image resized to
    /// <paramref name="outWidth"/> × <paramref name="outHeight"/>, as RGB bytes. Every output pixel depends
    /// only on its own weights, so computing just the window gives the same values as resizing everything.
    /// </summary>
    public static byte[] ResizeWindow(RgbImage source, int outWidth, int outHeight, int x0, int y0, int width, int height)
    {
        ResampleKernel? vertical = outHeight != source.Height ? ResampleKernel.Compute(source.Height, outHeight, y0, height) : null;
        int rowFirst = vertical?.MinInput ?? y0;
        int rowEnd = vertical?.EndInput ?? (y0 + height);
        int rows = rowEnd - rowFirst;

        byte[] intermediate = new byte[rows * width * 3];
        if (outWidth != source.Width)
        {
            ResampleKernel horizontal = ResampleKernel.Compute(source.Width, outWidth, x0, width);
            Horizontal(source, rowFirst, rows, horizontal, intermediate);
        }
        else
        {
            for (int r = 0; r < rows; r++)
            {
                Array.Copy(source.Pixels, (((rowFirst + r) * source.Width) + x0) * 3, intermediate, r * width * 3, width * 3);
            }
        }

        if (vertical is null)
        {
            return intermediate;
        }

        byte[] output = new byte[height * width * 3];
        Vertical(intermediate, width, rowFirst, vertical, output);
        return output;
    }

    private static void Horizontal(RgbImage source, int rowFirst, int rows, ResampleKernel kernel, byte[] output)
    {
        const int half = 1 << (ResampleKernel.PrecisionBits - 1);
        int outWidth = kernel.Start.Length;
        byte[] src = source.Pixels;
        int[] weights = kernel.Weights;
        for (int r = 0; r < rows; r++)
        {
            int rowBase = (rowFirst + r) * source.Width * 3;
            int outBase = r * outWidth * 3;
            for (int xx = 0; xx < outWidth; xx++)
            {
                int s0 = half, s1 = half, s2 = half;
                int p = rowBase + (kernel.Start[xx] * 3);
                int k = xx * kernel.Stride;
                for (int t = 0; t < kernel.Count[xx]; t++, p += 3)
                {
                    int w = weights[k + t];
                    s0 += src[p] * w;
                    s1 += src[p + 1] * w;
                    s2 += src[p + 2] * w;
                }

                output[outBase + (xx * 3)] = Clip8(s0);
                output[outBase + (xx * 3) + 1] = Clip8(s1);
                output[outBase + (xx * 3) + 2] = Clip8(s2);
            }
        }
    }

    private static void Vertical(byte[] input, int width, int rowFirst, ResampleKernel kernel, byte[] output)
    {
        const int half = 1 << (ResampleKernel.PrecisionBits - 1);
        int rowBytes = width * 3;
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

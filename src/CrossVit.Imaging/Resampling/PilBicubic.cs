using System.Buffers;
using System.Runtime.Intrinsics;

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
    /// <paramref name="outWidth"/> × <paramref name="outHeight"/>, as RGB bytes in the first
    /// <c>width · height · 3</c> of an array rented from <see cref="ArrayPool{T}.Shared"/>, which the caller returns.
    /// Every output pixel depends only on its own weights, so computing just the window gives the same values as
    /// resizing everything.
    /// </summary>
    public static byte[] ResizeWindow(RgbImage source, int outWidth, int outHeight, int x0, int y0, int width, int height)
    {
        ResampleKernel? vertical = outHeight != source.Height ? ResampleKernel.Compute(source.Height, outHeight, y0, height) : null;
        int rowFirst = vertical?.MinInput ?? y0;
        int rowEnd = vertical?.EndInput ?? (y0 + height);
        int rows = rowEnd - rowFirst;

        // Pooled: for a large photograph the horizontal pass's rows are hundreds of kilobytes of fresh pages.
        byte[] intermediate = ArrayPool<byte>.Shared.Rent(rows * width * 3);
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

        byte[] output = ArrayPool<byte>.Shared.Rent(height * width * 3);
        Vertical(intermediate, width, rowFirst, vertical, output);
        ArrayPool<byte>.Shared.Return(intermediate);
        return output;
    }

    /// <summary>
    /// The horizontal pass, four taps a step. Over four RGB pixels (12 bytes, three vectors of four ints) the channels
    /// repeat with period 3, so three accumulators against weights spread the same way (w0 w0 w0 w1 | w1 w1 w2 w2 |
    /// w2 w3 w3 w3) hold every channel's products, summed per channel at the end. Integer sums in any order are
    /// Pillow's exactly.
    /// </summary>
    private static void Horizontal(RgbImage source, int rowFirst, int rows, ResampleKernel kernel, byte[] output)
    {
        int outWidth = kernel.Start.Length;
        byte[] src = source.Pixels;
        int[] spread = kernel.SpreadWeights;
        int groups = kernel.Groups;
        for (int r = 0; r < rows; r++)
        {
            int rowBase = (rowFirst + r) * source.Width * 3;
            int outBase = r * outWidth * 3;
            for (int xx = 0; xx < outWidth; xx++)
            {
                int p = rowBase + (kernel.Start[xx] * 3);
                // Each step loads 16 bytes for its 12 (zero weights past the pixel's taps): the last pixels of the
                // image, whose loads would pass the end, take the scalar loop.
                if (p + (12 * groups) + 4 > src.Length)
                {
                    HorizontalPixel(src, p, kernel, xx, output.AsSpan(outBase + (xx * 3), 3));
                    continue;
                }

                Vector128<int> a = Vector128<int>.Zero, b = Vector128<int>.Zero, c = Vector128<int>.Zero;
                int w = xx * groups * 12;
                for (int g = 0; g < groups; g++, p += 12, w += 12)
                {
                    var samples = Vector128.Create(src.AsSpan(p, 16));
                    var low = Vector128.WidenLower(samples);
                    a += Vector128.WidenLower(low).AsInt32() * Vector128.Create(spread.AsSpan(w, 4));
                    b += Vector128.WidenUpper(low).AsInt32() * Vector128.Create(spread.AsSpan(w + 4, 4));
                    c += Vector128.WidenLower(Vector128.WidenUpper(samples)).AsInt32() * Vector128.Create(spread.AsSpan(w + 8, 4));
                }

                // Lanes a0 a3 b2 c1 are R, a1 b0 b3 c2 are G, a2 b1 c0 c3 are B.
                output[outBase + (xx * 3)] = Clip8(Half + a[0] + a[3] + b[2] + c[1]);
                output[outBase + (xx * 3) + 1] = Clip8(Half + a[1] + b[0] + b[3] + c[2]);
                output[outBase + (xx * 3) + 2] = Clip8(Half + a[2] + b[1] + c[0] + c[3]);
            }
        }
    }

    private static void HorizontalPixel(byte[] src, int p, ResampleKernel kernel, int xx, Span<byte> rgb)
    {
        int s0 = Half, s1 = Half, s2 = Half;
        int k = xx * kernel.Stride;
        for (int t = 0; t < kernel.Count[xx]; t++, p += 3)
        {
            int w = kernel.Weights[k + t];
            s0 += src[p] * w;
            s1 += src[p + 1] * w;
            s2 += src[p + 2] * w;
        }

        rgb[0] = Clip8(s0);
        rgb[1] = Clip8(s1);
        rgb[2] = Clip8(s2);
    }

    /// <summary>
    /// The vertical pass: every byte of an output row has the same weights, so eight bytes a step, the last step
    /// overlapping the one before (rows shorter than eight bytes one by one).
    /// </summary>
    private static void Vertical(byte[] input, int width, int rowFirst, ResampleKernel kernel, byte[] output)
    {
        int rowBytes = width * 3;
        int[] weights = kernel.Weights;
        for (int yy = 0; yy < kernel.Start.Length; yy++)
        {
            int first = (kernel.Start[yy] - rowFirst) * rowBytes;
            int k = yy * kernel.Stride;
            int taps = kernel.Count[yy];
            Span<byte> outRow = output.AsSpan(yy * rowBytes, rowBytes);
            if (rowBytes < Lanes)
            {
                for (int i = 0; i < rowBytes; i++)
                {
                    int s = Half;
                    for (int t = 0; t < taps; t++)
                    {
                        s += input[first + (t * rowBytes) + i] * weights[k + t];
                    }

                    outRow[i] = Clip8(s);
                }

                continue;
            }

            foreach (int i in new EightSteps(0, rowBytes))
            {
                Vector128<int> low = Vector128.Create(Half), high = low;
                for (int t = 0; t < taps; t++)
                {
                    var samples = EightSamples.Load(input.AsSpan(first + (t * rowBytes) + i));
                    var weight = Vector128.Create(weights[k + t]);
                    low += Vector128.WidenLower(samples).AsInt32() * weight;
                    high += Vector128.WidenUpper(samples).AsInt32() * weight;
                }

                EightSamples.Store(Vector128.Narrow(Clip8(low), Clip8(high)).AsUInt16(), outRow[i..]);
            }
        }
    }

    private const int Lanes = EightSteps.Width;

    /// <summary>The rounding term every sum starts from.</summary>
    private const int Half = 1 << (ResampleKernel.PrecisionBits - 1);

    /// <summary><see cref="Clip8(int)"/> lane-wise.</summary>
    private static Vector128<int> Clip8(Vector128<int> value) =>
        Vector128.Clamp(value >> ResampleKernel.PrecisionBits, Vector128<int>.Zero, Vector128.Create(255));

    /// <summary>Pillow's <c>clip8</c>: drop the fraction bits (arithmetic shift), then saturate.</summary>
    private static byte Clip8(int value) => (byte)Math.Clamp(value >> ResampleKernel.PrecisionBits, 0, 255);
}

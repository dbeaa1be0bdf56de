using System.Buffers;
using CrossVit.Imaging;
using CrossVit.Imaging.Resampling;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;

namespace CrossVit.Tests.Imaging;

/// <summary>
/// The resize's vector passes (four taps a step horizontally, eight bytes a step vertically) give Pillow's scalar
/// loops (<c>ImagingResampleHorizontal_8bpc</c>, <c>ImagingResampleVertical_8bpc</c>) byte for byte, for shrinking and
/// enlarging, on windows of any size and position, the image's last pixels included.
/// </summary>
public class PilBicubicTests
{
    [Property(MaxTest = 300)]
    public Property VectorPassesMatchPillowsLoops() => Prop.ForAll(
        (from width in Gen.Choose(1, 60)
         from height in Gen.Choose(1, 40)
         from outWidth in Gen.Choose(1, 70)
         from outHeight in Gen.Choose(1, 50)
         from x0 in Gen.Choose(0, outWidth - 1)
         from y0 in Gen.Choose(0, outHeight - 1)
         from windowWidth in Gen.Choose(1, outWidth - x0)
         from windowHeight in Gen.Choose(1, outHeight - y0)
         from seed in Gen.Choose(0, int.MaxValue)
         select (width, height, outWidth, outHeight, x0, y0, windowWidth, windowHeight, seed)).ToArbitrary(),
        c =>
        {
            var pixels = new byte[c.width * c.height * 3];
            new Random(c.seed).NextBytes(pixels);
            var image = new RgbImage(c.width, c.height, pixels);
            byte[] expected = Reference(image, c.outWidth, c.outHeight, c.x0, c.y0, c.windowWidth, c.windowHeight);
            byte[] actual = PilBicubic.ResizeWindow(image, c.outWidth, c.outHeight, c.x0, c.y0, c.windowWidth, c.windowHeight);
            bool equal = actual.AsSpan(0, expected.Length).SequenceEqual(expected);
            ArrayPool<byte>.Shared.Return(actual);
            return equal;
        });

    /// <summary>Pillow's two passes one sample and one tap at a time, over the same weights.</summary>
    private static byte[] Reference(RgbImage image, int outWidth, int outHeight, int x0, int y0, int width, int height)
    {
        const int half = 1 << (ResampleKernel.PrecisionBits - 1);
        ResampleKernel? horizontal = outWidth != image.Width ? ResampleKernel.Compute(image.Width, outWidth, x0, width) : null;
        ResampleKernel? vertical = outHeight != image.Height ? ResampleKernel.Compute(image.Height, outHeight, y0, height) : null;
        var output = new byte[width * height * 3];
        for (int y = 0; y < height; y++)
        {
            for (int x = 0; x < width; x++)
            {
                for (int channel = 0; channel < 3; channel++)
                {
                    // A row of the horizontal pass's output, as that pass clips it.
                    byte Row(int sourceRow)
                    {
                        if (horizontal is null) return image.Pixels[(((sourceRow * image.Width) + x0 + x) * 3) + channel];
                        int s = half;
                        for (int t = 0; t < horizontal.Count[x]; t++)
                        {
                            s += image.Pixels[(((sourceRow * image.Width) + horizontal.Start[x] + t) * 3) + channel] * horizontal.Weights[(x * horizontal.Stride) + t];
                        }

                        return Clip8(s);
                    }

                    byte value;
                    if (vertical is null)
                    {
                        value = Row(y0 + y);
                    }
                    else
                    {
                        int s = half;
                        for (int t = 0; t < vertical.Count[y]; t++)
                        {
                            s += Row(vertical.Start[y] + t) * vertical.Weights[(y * vertical.Stride) + t];
                        }

                        value = Clip8(s);
                    }

                    output[(((y * width) + x) * 3) + channel] = value;
                }
            }
        }

        return output;
    }

    private static byte Clip8(int value) => (byte)Math.Clamp(value >> ResampleKernel.PrecisionBits, 0, 255);
}

using CrossVit.Imaging;
using Xunit;

namespace CrossVit.Tests.Imaging;

public sealed class PngDecoderTests
{
    public static TheoryData<int, int, bool> Formats()
    {
        var data = new TheoryData<int, int, bool>();
        foreach ((int colorType, int[] depths) in new[] { (0, new[] { 1, 2, 4, 8, 16 }), (2, [8, 16]), (3, [1, 2, 4, 8]), (4, [8, 16]), (6, [8, 16]) })
        {
            foreach (int depth in depths)
            {
                data.Add(colorType, depth, false);
                data.Add(colorType, depth, true);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Formats))]
    public void DecodesEveryColourTypeDepthAndInterlace(int colorType, int depth, bool interlace)
    {
        // Odd sizes so that Adam7 passes are ragged and sub-byte rows end mid-byte.
        const int width = 13, height = 11;
        var random = new Random((colorType * 100) + depth);
        int channels = TestPngEncoder.Channels(colorType);
        int max = (1 << depth) - 1;
        int[] samples = Enumerable.Range(0, width * height * channels).Select(i => i % 7 == 0 ? max : random.Next(max + 1)).ToArray();
        byte[]? palette = colorType == 3 ? Enumerable.Range(0, 3 << depth).Select(_ => (byte)random.Next(256)).ToArray() : null;

        RgbImage image = ImageDecoder.Decode(TestPngEncoder.Encode(width, height, colorType, depth, samples, interlace, palette));

        Assert.Equal((width, height), (image.Width, image.Height));
        Assert.Equal(ExpectedRgb(samples, colorType, depth, palette), image.Pixels);
    }

    [Fact]
    public void RejectsBadCrc()
    {
        byte[] png = Sample();
        png[20] ^= 1; // inside IHDR's width field
        Assert.Contains("CRC", Assert.Throws<ImageFormatException>(() => ImageDecoder.Decode(png)).Message);
    }

    [Fact]
    public void RejectsTruncationAnywhere()
    {
        byte[] png = Sample();
        for (int length = 0; length < png.Length; length += 3)
        {
            Assert.Throws<ImageFormatException>(() => ImageDecoder.Decode(png.AsSpan(0, length)));
        }
    }

    [Theory]
    [InlineData(100_000u, 100_000u)]
    [InlineData(0u, 10u)]
    [InlineData(10u, 0u)]
    [InlineData(0x80000000u, 1u)]
    public void RejectsBadDimensionsBeforeAllocating(uint width, uint height)
    {
        using var s = new MemoryStream();
        s.Write([0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A]);
        var ihdr = new byte[13];
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(ihdr, width);
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(ihdr.AsSpan(4), height);
        ihdr[8] = 8;
        ihdr[9] = 2;
        TestPngEncoder.WriteChunk(s, "IHDR", ihdr);
        Assert.Throws<ImageFormatException>(() => ImageDecoder.Decode(s.ToArray()));
    }

    [Fact]
    public void HonoursCustomLimits()
    {
        var limits = new DecodeLimits(MaxWidth: 12);
        Assert.Contains("limits", Assert.Throws<ImageFormatException>(() => ImageDecoder.Decode(Sample(), limits)).Message);
    }

    [Fact]
    public void RejectsInvalidHeaderFieldsAndFilters()
    {
        Assert.Throws<ImageFormatException>(() => ImageDecoder.Decode(TestPngEncoder.Encode(2, 2, 2, 4, new int[12], false)));
        Assert.Throws<ImageFormatException>(() => ImageDecoder.Decode(TestPngEncoder.Encode(2, 2, 3, 8, new int[4], false)));
        Assert.Throws<ImageFormatException>(() => ImageDecoder.Decode("not an image"u8));
        Assert.Throws<ImageFormatException>(() => ImageDecoder.Decode([]));
    }

    [Fact]
    public void RequiresIend()
    {
        byte[] png = Sample();
        Assert.Contains("IEND", Assert.Throws<ImageFormatException>(() => ImageDecoder.Decode(png.AsSpan(0, png.Length - 12))).Message);
    }

    private static byte[] Sample() => TestPngEncoder.Encode(13, 11, 2, 8, Enumerable.Range(0, 13 * 11 * 3).Select(i => i % 256).ToArray(), false);

    /// <summary>What PIL's open + convert('RGB') yields, written independently of the decoder.</summary>
    private static byte[] ExpectedRgb(int[] samples, int colorType, int depth, byte[]? palette)
    {
        int channels = TestPngEncoder.Channels(colorType);
        int pixels = samples.Length / channels;
        var rgb = new byte[pixels * 3];
        for (int i = 0; i < pixels; i++)
        {
            for (int c = 0; c < 3; c++)
            {
                int s = samples[(i * channels) + (colorType is 2 or 6 ? c : 0)];
                rgb[(i * 3) + c] = (colorType, depth) switch
                {
                    (3, _) => palette![(s * 3) + c],
                    (0, 16) => (byte)Math.Min(s, 255), // PIL's I;16 -> RGB saturates
                    (_, 16) => (byte)(s >> 8),
                    _ => (byte)(s * 255 / ((1 << depth) - 1)),
                };
            }
        }

        return rgb;
    }
}

using CrossVit.Imaging;
using CrossVit.Tests.Fuzzing;
using Xunit;

namespace CrossVit.Tests.Imaging;

public sealed class JpegDecoderTests
{
    private static readonly byte[] Baseline = File.ReadAllBytes(GoldenImageTests.GoldenPath("hubble_deep_field.jpg"));

    public static TheoryData<string> Seeds => [.. JpegSeeds.All.Keys];

    /// <summary>
    /// Each encoder mode (baseline and progressive, 4:2:0/4:2:2/4:4:4, restarts, optimized tables, gray) decodes to
    /// exactly libjpeg-turbo's pixels; the golden images check the same on two large photographs.
    /// </summary>
    [Theory]
    [MemberData(nameof(Seeds))]
    public void SeedsDecodeAsLibjpegTurbo(string name) =>
        Assert.Equal(JpegSeeds.Decoded[name], ImageDecoder.Decode(JpegSeeds.All[name]).Pixels);

    [Theory]
    [InlineData(0.25)]
    [InlineData(0.5)]
    [InlineData(0.99)]
    public void RejectsTruncatedData(double fraction)
    {
        int length = (int)(Baseline.Length * fraction);
        Assert.Throws<ImageFormatException>(() => ImageDecoder.Decode(Baseline.AsSpan(0, length)));
    }

    [Fact]
    public void RejectsMissingEoi() =>
        Assert.Contains("EOI", Assert.Throws<ImageFormatException>(() => ImageDecoder.Decode(Baseline.AsSpan(0, Baseline.Length - 2))).Message);

    [Theory]
    [InlineData(0xC3)]
    [InlineData(0xC9)]
    [InlineData(0xCA)]
    [InlineData(0xC5)]
    public void RejectsUnsupportedProcesses(byte sofMarker)
    {
        byte[] jpeg = (byte[])Baseline.Clone();
        jpeg[SofOffset()] = sofMarker;
        Assert.Contains("unsupported", Assert.Throws<ImageFormatException>(() => ImageDecoder.Decode(jpeg)).Message);
    }

    [Fact]
    public void Rejects12BitPrecision()
    {
        byte[] jpeg = (byte[])Baseline.Clone();
        jpeg[SofOffset() + 3] = 12;
        Assert.Contains("unsupported", Assert.Throws<ImageFormatException>(() => ImageDecoder.Decode(jpeg)).Message);
    }

    [Fact]
    public void RejectsCmyk()
    {
        byte[] jpeg = [0xFF, 0xD8, 0xFF, 0xC0, 0, 20, 8, 0, 8, 0, 8, 4, 1, 0x11, 0, 2, 0x11, 0, 3, 0x11, 0, 4, 0x11, 0, 0xFF, 0xD9];
        Assert.Contains("CMYK", Assert.Throws<ImageFormatException>(() => ImageDecoder.Decode(jpeg)).Message);
    }

    [Theory]
    [InlineData(0xFF, 0xFF)]
    [InlineData(0, 0)]
    public void RejectsBadDimensionsBeforeAllocating(byte high, byte low)
    {
        byte[] jpeg = (byte[])Baseline.Clone();
        int sof = SofOffset();
        jpeg[sof + 4] = high;
        jpeg[sof + 5] = low;
        Assert.Throws<ImageFormatException>(() => ImageDecoder.Decode(jpeg));
    }

    private static int SofOffset()
    {
        for (int i = 2; i + 1 < Baseline.Length; i++)
        {
            if (Baseline[i] == 0xFF && Baseline[i + 1] == 0xC0)
            {
                return i + 1;
            }
        }

        throw new InvalidOperationException("no SOF0 in the golden JPEG");
    }
}

using CrossVit.Imaging;
using Xunit;

namespace CrossVit.Tests.Imaging;

/// <summary><see cref="ImageDecoder.Load"/> checks a file's size and magic bytes before reading it whole.</summary>
public class ImageFileLimitTests
{
    private static readonly string Png = TestData.Golden("images", "chelsea.png");

    [Fact]
    public void AFileOverTheLimitIsRefusedNamingBothSizes()
    {
        long length = new FileInfo(Png).Length;
        var e = Assert.Throws<ImageFormatException>(() => ImageDecoder.Load(Png, new DecodeLimits(MaxFileBytes: length - 1)));
        Assert.Equal($"The image file is {length} bytes; the decode limit is {length - 1} bytes.", e.Message);
        Assert.Equal(ImageDecoder.Load(Png).Pixels, ImageDecoder.Load(Png, new DecodeLimits(MaxFileBytes: length)).Pixels);
    }

    [Fact]
    public void AForeignFileIsRefusedByItsFirstBytes()
    {
        using var dir = new Cli.CliRunner.TempDir();
        using (var file = File.Create(dir["movie.png"]))
        {
            file.Write("RIFF...."u8);
            file.SetLength(100_000_000);   // sparse: refused after reading 8 bytes, well within the limit
        }
        var e = Assert.Throws<ImageFormatException>(() => ImageDecoder.Load(dir["movie.png"]));
        Assert.StartsWith("Unrecognised image format", e.Message, StringComparison.Ordinal);
    }
}

using CrossVit.Tests.Cli;
using Xunit;

namespace CrossVit.Tests.Fuzzing;

/// <summary>The CLI turns a hostile file into one stderr line and exit code 1, never a stack trace.</summary>
public class CliFuzzTests
{
    public static TheoryData<string, string> Images => new()
    {
        { "truncated.png", "PNG" },
        { "bad-magic.jpg", "Unrecognised image format" },
        { "huge.bmp", "BMP" },
        { "negative.ppm", "PNM" },
    };

    [Theory]
    [MemberData(nameof(Images))]
    public void PreprocessReportsMutatedImagesOnOneLine(string name, string mentions)
    {
        using var dir = new CliRunner.TempDir();
        File.WriteAllBytes(dir[name], Mutated(name));
        var (code, stdout, stderr) = CliRunner.Run("preprocess", dir[name], "--size", "32", "--output", dir["x.npy"]);
        AssertOneLineError(code, stdout, stderr, mentions);
    }

    [Fact]
    public void InspectReportsAMutatedCheckpointOnOneLine()
    {
        using var dir = new CliRunner.TempDir();
        byte[] file = (byte[])Seeds.Safetensors[0].Bytes.Clone();
        file[0] = 0xFF;   // header length far beyond the file
        File.WriteAllBytes(dir["w.safetensors"], file);
        var (code, stdout, stderr) = CliRunner.Run("inspect", dir["w.safetensors"]);
        AssertOneLineError(code, stdout, stderr, "header");
    }

    private static byte[] Mutated(string name)
    {
        byte[] Clone(Seed seed) => (byte[])seed.Bytes.Clone();
        switch (name)
        {
            case "truncated.png": return Seeds.Png[0].Bytes[..40];
            case "bad-magic.jpg": { var b = Clone(Seeds.Jpeg[0]); b[1] = 0x00; return b; }
            case "huge.bmp": { var b = Clone(Seeds.Bmp[0]); new Field(18, 4, BigEndian: false).Write(b, 0x7FFF_FFFF); return b; }
            default: return [.. "P6\n-7 5\n255\n"u8, .. new byte[105]];
        }
    }

    private static void AssertOneLineError(int code, string stdout, string stderr, string mentions)
    {
        Assert.Equal(1, code);
        Assert.Equal("", stdout);
        Assert.StartsWith("crossvit: error: ", stderr, StringComparison.Ordinal);
        Assert.Single(stderr.TrimEnd('\n').Split('\n'));
        Assert.Contains(mentions, stderr, StringComparison.OrdinalIgnoreCase);
    }
}

using CrossVit.Imaging;
using CrossVit.Weights;
using Xunit;

namespace CrossVit.Tests.Cli;

public class PreprocessCommandTests
{
    public static TheoryData<string> Images => ["chelsea.png", "hubble_deep_field.jpg", "astronaut_progressive.jpg"];

    [Theory]
    [MemberData(nameof(Images))]
    public void WritesTimmsTensorExactly(string image)
    {
        using var dir = new CliRunner.TempDir();
        var (code, stdout, stderr) = CliRunner.Run("preprocess", TestData.Golden("images", image), "--size", "240", "--output", dir["x.npy"]);
        Assert.True(code == 0, stderr);
        Assert.Equal("", stdout + stderr);
        var actual = Npy.Read(dir["x.npy"]);
        var expected = Npy.Read(TestData.Golden("images", image + ".240.npy"));
        Assert.Equal([1, 3, 240, 240], actual.Shape);
        Assert.Equal(expected.ToFloat32(), actual.ToFloat32());
    }

    [Theory]
    [MemberData(nameof(Images))]
    public void GrayWritesPilsConvertLTensorExactly(string image)
    {
        using var dir = new CliRunner.TempDir();
        var (code, _, stderr) = CliRunner.Run("preprocess", TestData.Golden("images", image), "--size", "240", "--gray", "--mean", "0.5", "--std", "0.25", "--output", dir["x.npy"]);
        Assert.True(code == 0, stderr);
        var actual = Npy.Read(dir["x.npy"]);
        Assert.Equal([1, 1, 240, 240], actual.Shape);
        Assert.Equal(Npy.Read(TestData.Golden("images", image + ".gray240.npy")).ToFloat32(), actual.ToFloat32());
    }

    [Theory]
    [InlineData("--gray needs --mean", "--gray", "--std", "0.25")]
    [InlineData("--mean has 1 values; expected 3", "--mean", "0.5")]
    [InlineData("--std must not be 0", "--std", "0,1,1")]
    [InlineData("--mean 0.5,x is not a list of numbers", "--mean", "0.5,x")]
    public void StatisticsThatDoNotFitTheChannelsAreOneLine(string expected, params string[] options)
    {
        using var dir = new CliRunner.TempDir();
        var (code, _, stderr) = CliRunner.Run(["preprocess", TestData.Golden("images", "chelsea.png"), "--size", "8", .. options, "--output", dir["x.npy"]]);
        Assert.Equal(1, code);
        Assert.Contains(expected, stderr, StringComparison.Ordinal);
        Assert.False(File.Exists(dir["x.npy"]));
    }

    [Fact]
    public void PassesSizeAndCropPctThrough()
    {
        using var dir = new CliRunner.TempDir();
        string image = TestData.Golden("images", "chelsea.png");
        var (code, _, stderr) = CliRunner.Run("preprocess", image, "--size", "96", "--crop-pct", "1.0", "--output", dir["x.npy"]);
        Assert.True(code == 0, stderr);
        var actual = Npy.Read(dir["x.npy"]);
        Assert.Equal([1, 3, 96, 96], actual.Shape);
        Assert.Equal(Preprocess.TimmEval(ImageDecoder.Load(image), 96, 1.0, Normalization.ImageNet), actual.ToFloat32());
    }
}

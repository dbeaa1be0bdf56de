using CrossVit.Imaging;
using CrossVit.Weights;
using Xunit;
using Xunit.Abstractions;

namespace CrossVit.Tests.Imaging;

/// <summary>Decoding and preprocessing compared with what PIL + timm produced for the golden images.</summary>
public sealed class GoldenImageTests(ITestOutputHelper output)
{
    private const int Size = 240;
    private const double CropPct = 0.875;

    public static TheoryData<string> Images => ["chelsea.png", "hubble_deep_field.jpg", "astronaut_progressive.jpg"];

    [Theory]
    [MemberData(nameof(Images))]
    public void DecodedPixelsMatchPil(string name)
    {
        RgbImage image = ImageDecoder.Load(GoldenPath(name));
        var rgb = Npy.Read(GoldenPath(name + ".rgb.npy"));
        (int[] shape, byte[] expected) = (rgb.Shape.ToArray(), rgb.ToUInt8());
        Assert.Equal([image.Height, image.Width, 3], shape);

        int max = 0;
        long sum = 0;
        for (int i = 0; i < expected.Length; i++)
        {
            int d = Math.Abs(image.Pixels[i] - expected[i]);
            max = Math.Max(max, d);
            sum += d;
        }

        output.WriteLine($"{name}: max |diff| {max}, mean |diff| {(double)sum / expected.Length:F6}");
        Assert.Equal(0, max);
    }

    [Theory]
    [MemberData(nameof(Images))]
    public void PreprocessingOfPilPixelsMatchesTimmExactly(string name)
    {
        var rgb = Npy.Read(GoldenPath(name + ".rgb.npy"));
        (int[] shape, byte[] pixels) = (rgb.Shape.ToArray(), rgb.ToUInt8());
        var image = new RgbImage(shape[1], shape[0], pixels);
        float[] actual = Preprocess.TimmEval(image, Size, CropPct, Normalization.ImageNet);
        LevelStats stats = Compare(actual, name);
        output.WriteLine($"{name} (PIL pixels): {stats}");
        Assert.True(stats.Max == 0, stats.ToString());
    }

    [Theory]
    [MemberData(nameof(Images))]
    public void EndToEndTensorMatchesTimm(string name)
    {
        float[] actual = Preprocess.TimmEval(ImageDecoder.Load(GoldenPath(name)), Size, CropPct, Normalization.ImageNet);
        LevelStats stats = Compare(actual, name);
        output.WriteLine($"{name} (decoded here): {stats}");
        // The brief's bars are ≤1 level (PNG) and mean ≤0.5 / 99.9% ≤3 levels (JPEG); the decoders are bit-exact, so demand that.
        Assert.True(stats.Max == 0, stats.ToString());
    }

    /// <summary>As timm loads images for a one-channel model: PIL's <c>convert('L')</c>, then the same transform (goldens by tools/preprocess_sweep.py --goldens).</summary>
    [Theory]
    [MemberData(nameof(Images))]
    public void GrayscaleTensorMatchesPilsConvertL(string name)
    {
        float[] actual = Preprocess.TimmEval(ImageDecoder.Load(GoldenPath(name)), Size, CropPct, Gray);
        var expected = Npy.Read(GoldenPath(name + ".gray240.npy"));
        Assert.Equal([1, 1, Size, Size], expected.Shape);
        Assert.Equal(expected.ToFloat32(), actual);
    }

    /// <summary>The statistics the grayscale goldens were normalized with.</summary>
    internal static Normalization Gray { get; } = new([0.5f], [0.25f]);

    internal static string GoldenPath(string name) => TestData.Golden("images", name);

    /// <summary>Differences in 8-bit levels: |Δ| · std · 255 per channel.</summary>
    private static LevelStats Compare(float[] actual, string name)
    {
        var tensor = Npy.Read(GoldenPath(name + ".240.npy"));
        (int[] shape, float[] expected) = (tensor.Shape.ToArray(), tensor.ToFloat32());
        Assert.Equal([1, 3, Size, Size], shape);
        Assert.Equal(expected.Length, actual.Length);
        double max = 0, sum = 0;
        int within3 = 0;
        int plane = Size * Size;
        for (int i = 0; i < expected.Length; i++)
        {
            double level = Math.Abs(actual[i] - expected[i]) * Normalization.ImageNet.Std[i / plane] * 255.0;
            max = Math.Max(max, level);
            sum += level;
            within3 += level <= 3.0 ? 1 : 0;
        }

        return new LevelStats(max, sum / expected.Length, (double)within3 / expected.Length);
    }

    private readonly record struct LevelStats(double Max, double Mean, double FractionWithin3)
    {
        public override string ToString() => $"max {Max:F4} levels, mean {Mean:F6} levels, {FractionWithin3:P3} within 3 levels";
    }
}

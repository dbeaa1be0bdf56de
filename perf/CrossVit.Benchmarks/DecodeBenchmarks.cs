using System.Reflection;
using BenchmarkDotNet.Attributes;
using CrossVit.Imaging;
using CrossVit.Runtime.Config;

namespace CrossVit.Benchmarks;

/// <summary>
/// An image's way to the model's input: decoding a file (a 0.87-megapixel baseline JPEG, a progressive JPEG, a PNG),
/// and decoding plus timm's eval transform to crossvit_*_240's 3×240×240 input.
/// </summary>
[Config(typeof(BenchConfig))]
public class DecodeBenchmarks
{
    private static readonly CrossVitConfig Model = Presets.Get("crossvit_9_dagger_240");
    private static readonly int Size = Model.ImgSize[0];

    private byte[] _file = [];
    private readonly float[] _input = new float[3 * Size * Size];

    [Params("hubble_deep_field.jpg", "astronaut_progressive.jpg", "chelsea.png")]
    public string File { get; set; } = "hubble_deep_field.jpg";

    [GlobalSetup]
    public void Setup()
    {
        // Embedded: BenchmarkDotNet runs each benchmark from a generated project's folder.
        using var stream = Assembly.GetExecutingAssembly().GetManifestResourceStream(File)
            ?? throw new InvalidOperationException($"No embedded image '{File}'; the project embeds tests/CrossVit.Tests/data/golden/images/*.jpg and *.png.");
        using var bytes = new MemoryStream();
        stream.CopyTo(bytes);
        _file = bytes.ToArray();
    }

    [Benchmark]
    public RgbImage Decode() => ImageDecoder.Decode(_file);

    [Benchmark]
    public void DecodeAndPreprocess() => Preprocess.TimmEval(ImageDecoder.Decode(_file), Size, Model.CropPct, Normalization.ImageNet, _input);
}

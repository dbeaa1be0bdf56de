using BenchmarkDotNet.Attributes;
using CrossVit.Runtime.Kernels;

namespace CrossVit.Benchmarks;

/// <summary>
/// The input's way into the model, one 240×240 RGB image: the large branch's bicubic resize to 224×224, and the
/// channels-last copy; reported as GB/s of input + output traffic.
/// </summary>
[Config(typeof(BenchConfig))]
public class InputBenchmarks : IThroughput
{
    public const string Resize = "resize-3x240x240-to-224", ChannelsLast = "channels-last-3x240x240";

    private const int Channels = 3, Size = 240, Resized = 224;

    private KernelSet kernels = null!;
    private float[] image = [];
    private float[] output = [];

    [ParamsSource(nameof(Isas))]
    public Isa Isa { get; set; }

    [Params(Resize, ChannelsLast)]
    public string Shape { get; set; } = Resize;

    public static IEnumerable<Isa> Isas => BenchIsas.All;

    public double Work => sizeof(float) * Channels * ((Size * Size) + (Shape == Resize ? Resized * Resized : Size * Size));

    public bool IsBandwidth => true;

    [GlobalSetup]
    public void Setup()
    {
        var random = new Random(1);
        kernels = KernelSet.Create(Isa);
        image = Enumerable.Range(0, Channels * Size * Size).Select(_ => random.NextSingle()).ToArray();
        output = new float[Channels * Size * Size];
    }

    [Benchmark]
    public void Run()
    {
        if (Shape == Resize)
        {
            kernels.Resize(image, Channels, Size, Size, output, Resized, Resized, ResizeMode.Bicubic);
        }
        else
        {
            kernels.ChannelsLast(image, Channels, Size, Size, 0, 0, Size, output, 0, Size);
        }
    }
}

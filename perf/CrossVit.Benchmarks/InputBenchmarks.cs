using BenchmarkDotNet.Attributes;
using CrossVit.Runtime.Kernels;

namespace CrossVit.Benchmarks;

/// <summary>
/// The input's way into the model, one 240×240 RGB _image: the large branch's bicubic resize to 224×224, and the
/// channels-last copy; reported as GB/s of input + _output traffic.
/// </summary>
[Config(typeof(BenchConfig))]
public class InputBenchmarks : IThroughput
{
    public const string Resize = "resize-3x240x240-to-224", ChannelsLast = "channels-last-3x240x240";

    private const int Channels = 3, Size = 240, Resized = 224;

    private KernelSet _kernels = null!;
    private float[] _image = [];
    private float[] _output = [];

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
        _kernels = KernelSet.Create(Isa);
        _image = Enumerable.Range(0, Channels * Size * Size).Select(_ => random.NextSingle()).ToArray();
        _output = new float[Channels * Size * Size];
    }

    [Benchmark]
    public void Run()
    {
        if (Shape == Resize)
        {
            _kernels.Resize(_image, Channels, Size, Size, _output, Resized, Resized, ResizeMode.Bicubic);
        }
        else
        {
            _kernels.ChannelsLast(_image, Channels, Size, Size, 0, 0, Size, _output, 0, Size);
        }
    }
}

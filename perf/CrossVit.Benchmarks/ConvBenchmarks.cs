using BenchmarkDotNet.Attributes;
using CrossVit.Runtime.Kernels;

namespace CrossVit.Benchmarks;

/// <summary>The dagger stem convolutions (channels-last, ReLU fused); FLOPs = 2·outH·outW·cout·cin·k².</summary>
[Config(typeof(BenchConfig))]
public class ConvBenchmarks : IThroughput
{
    private KernelSet _kernels = null!;
    private PackedMatrix _weight = null!;
    private float[] _x = [];
    private float[] _bias = [];
    private float[] _y = [];

    [ParamsSource(nameof(Isas))]
    public Isa Isa { get; set; }

    /// <summary>"inH_xinW_xcin-kKsSpP-cout", one of <see cref="ShapeNames"/>.</summary>
    [ParamsSource(nameof(ShapeNames))]
    public string Shape { get; set; } = ShapeNames.First();

    public static IEnumerable<Isa> Isas => BenchIsas.All;

    public static IEnumerable<string> ShapeNames => Shapes.Stem.Select(s => $"{s.InH}_x{s.InW}_x{s.Cin}-k{s.Kernel}s{s.Stride}p{s.Pad}-{s.Cout}");

    public double Work
    {
        get
        {
            var s = Parse();
            var (outH, outW) = KernelSet.ConvOutputSize(s.InH, s.InW, s.Kernel, s.Kernel, s.Stride, s.Pad);
            return 2.0 * outH * outW * s.Cout * s.Cin * s.Kernel * s.Kernel;
        }
    }

    public bool IsBandwidth => false;

    internal double Flops => Work;

    [GlobalSetup]
    public void Setup()
    {
        var s = Parse();
        var random = new Random(1);
        _kernels = KernelSet.Create(Isa);
        _x = Enumerable.Range(0, s.InH * s.InW * s.Cin).Select(_ => random.NextSingle() - 0.5f).ToArray();
        _weight = _kernels.PackConv(Enumerable.Range(0, s.Cout * s.Cin * s.Kernel * s.Kernel).Select(_ => random.NextSingle() - 0.5f).ToArray(), s.Cout, s.Cin, s.Kernel, s.Kernel);
        _bias = new float[s.Cout];
        var (outH, outW) = KernelSet.ConvOutputSize(s.InH, s.InW, s.Kernel, s.Kernel, s.Stride, s.Pad);
        _y = new float[outH * outW * s.Cout];
    }

    [Benchmark]
    public void Conv()
    {
        var s = Parse();
        _kernels.Conv2d(_x, s.InH, s.InW, _weight, s.Stride, s.Pad, _bias, _y, Epilogue.Relu);
    }

    private (int InH, int InW, int Cin, int Kernel, int Stride, int Pad, int Cout) Parse() =>
        Shapes.Stem.First(s => $"{s.InH}_x{s.InW}_x{s.Cin}-k{s.Kernel}s{s.Stride}p{s.Pad}-{s.Cout}" == Shape);
}

using BenchmarkDotNet.Attributes;
using CrossVit.Runtime.Kernels;

namespace CrossVit.Benchmarks;

/// <summary>Linear (packed GEMM) at the model's shapes; FLOPs = 2·M·K·N.</summary>
[Config(typeof(BenchConfig))]
public class GemmBenchmarks : IThroughput
{
    private KernelSet _kernels = null!;
    private PackedMatrix _weight = null!;
    private float[] _x = [];
    private float[] _bias = [];
    private float[] _y = [];

    [ParamsSource(nameof(Isas))]
    public Isa Isa { get; set; }

    [ParamsSource(nameof(ShapeNames))]
    public string Shape { get; set; } = "401x128x384";

    public static IEnumerable<Isa> Isas => BenchIsas.All;

    public static IEnumerable<string> ShapeNames => Shapes.Gemm.Select(s => $"{s.M}_x{s.K}_x{s.N}");

    public double Work => 2.0 * M * K * N;

    public bool IsBandwidth => false;

    private int M => int.Parse(Shape.Split('x')[0], System.Globalization.CultureInfo.InvariantCulture);

    private int K => int.Parse(Shape.Split('x')[1], System.Globalization.CultureInfo.InvariantCulture);

    private int N => int.Parse(Shape.Split('x')[2], System.Globalization.CultureInfo.InvariantCulture);

    internal double Flops => Work;

    [GlobalSetup]
    public void Setup()
    {
        var random = new Random(1);
        _kernels = KernelSet.Create(Isa);
        _x = Enumerable.Range(0, M * K).Select(_ => random.NextSingle() - 0.5f).ToArray();
        _weight = _kernels.PackLinear(Enumerable.Range(0, N * K).Select(_ => random.NextSingle() - 0.5f).ToArray(), N, K);
        _bias = new float[N];
        _y = new float[M * N];
    }

    [Benchmark]
    public void Linear() => _kernels.Linear(_x, M, _weight, _bias, _y);
}

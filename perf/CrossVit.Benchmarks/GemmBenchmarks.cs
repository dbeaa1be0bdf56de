using BenchmarkDotNet.Attributes;
using CrossVit.Runtime.Kernels;

namespace CrossVit.Benchmarks;

/// <summary>Linear (packed GEMM) at the model's shapes; FLOPs = 2·M·K·N.</summary>
[Config(typeof(BenchConfig))]
public class GemmBenchmarks : IThroughput
{
    private KernelSet kernels = null!;
    private PackedMatrix weight = null!;
    private float[] x = [];
    private float[] bias = [];
    private float[] y = [];

    [ParamsSource(nameof(Isas))]
    public Isa Isa { get; set; }

    [ParamsSource(nameof(ShapeNames))]
    public string Shape { get; set; } = "401x128x384";

    public static IEnumerable<Isa> Isas => BenchIsas.All;

    public static IEnumerable<string> ShapeNames => Shapes.Gemm.Select(s => $"{s.M}x{s.K}x{s.N}");

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
        kernels = KernelSet.Create(Isa);
        x = Enumerable.Range(0, M * K).Select(_ => random.NextSingle() - 0.5f).ToArray();
        weight = kernels.PackLinear(Enumerable.Range(0, N * K).Select(_ => random.NextSingle() - 0.5f).ToArray(), N, K);
        bias = new float[N];
        y = new float[M * N];
    }

    [Benchmark]
    public void Linear() => kernels.Linear(x, M, weight, bias, y);
}

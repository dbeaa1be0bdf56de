using BenchmarkDotNet.Attributes;
using CrossVit.Runtime.Kernels;

namespace CrossVit.Benchmarks;

/// <summary>LayerNorm and GELU over a [T, C] activation; reported as GB/s of input + output traffic.</summary>
[Config(typeof(BenchConfig))]
public class ElementwiseBenchmarks : IThroughput
{
    private KernelSet _kernels = null!;
    private float[] _x = [];
    private float[] _y = [];
    private float[] _gamma = [];
    private float[] _beta = [];

    [ParamsSource(nameof(Isas))]
    public Isa Isa { get; set; }

    /// <summary>"TxC".</summary>
    [Params("401x128", "197x256", "197x768")]
    public string Shape { get; set; } = "401x128";

    public static IEnumerable<Isa> Isas => BenchIsas.All;

    public double Work => 2.0 * sizeof(float) * T * C;

    public bool IsBandwidth => true;

    private int T => int.Parse(Shape.Split('x')[0], System.Globalization.CultureInfo.InvariantCulture);

    private int C => int.Parse(Shape.Split('x')[1], System.Globalization.CultureInfo.InvariantCulture);

    [GlobalSetup]
    public void Setup()
    {
        var random = new Random(1);
        _kernels = KernelSet.Create(Isa);
        _x = Enumerable.Range(0, T * C).Select(_ => (random.NextSingle() * 8) - 4).ToArray();
        _y = new float[T * C];
        _gamma = Enumerable.Repeat(1f, C).ToArray();
        _beta = new float[C];
    }

    [Benchmark]
    public void LayerNorm() => _kernels.LayerNorm(_x, T, C, _gamma, _beta, 1e-6f, _y);

    [Benchmark]
    public void Gelu() => _kernels.Gelu(_x, _y);
}

using BenchmarkDotNet.Attributes;
using CrossVit.Runtime.Kernels;

namespace CrossVit.Benchmarks;

/// <summary>LayerNorm and GELU over a [T, C] activation; reported as GB/s of input + output traffic.</summary>
[Config(typeof(BenchConfig))]
public class ElementwiseBenchmarks : IThroughput
{
    private KernelSet kernels = null!;
    private float[] x = [];
    private float[] y = [];
    private float[] gamma = [];
    private float[] beta = [];

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
        kernels = KernelSet.Create(Isa);
        x = Enumerable.Range(0, T * C).Select(_ => (random.NextSingle() * 8) - 4).ToArray();
        y = new float[T * C];
        gamma = Enumerable.Repeat(1f, C).ToArray();
        beta = new float[C];
    }

    [Benchmark]
    public void LayerNorm() => kernels.LayerNorm(x, T, C, gamma, beta, 1e-6f, y);

    [Benchmark]
    public void Gelu() => kernels.Gelu(x, y);
}

using BenchmarkDotNet.Attributes;
using CrossVit.Runtime.Kernels;

namespace CrossVit.Benchmarks;

/// <summary>Self-attention from a fused _qkv [T, 3C], 4 heads; FLOPs = 4·T²·C (QKᵀ and P·V).</summary>
[Config(typeof(BenchConfig))]
public class AttentionBenchmarks : IThroughput
{
    private KernelSet _kernels = null!;
    private float[] _qkv = [];
    private float[] _output = [];
    private float[] _scratch = [];

    [ParamsSource(nameof(Isas))]
    public Isa Isa { get; set; }

    /// <summary>"TxC".</summary>
    [ParamsSource(nameof(ShapeNames))]
    public string Shape { get; set; } = "401x128";

    public static IEnumerable<Isa> Isas => BenchIsas.All;

    public static IEnumerable<string> ShapeNames => Shapes.Attention.Select(s => $"{s.T}x{s.Dim}");

    public double Work => 4.0 * T * T * C;

    public bool IsBandwidth => false;

    internal double Flops => Work;

    private int T => int.Parse(Shape.Split('x')[0], System.Globalization.CultureInfo.InvariantCulture);

    private int C => int.Parse(Shape.Split('x')[1], System.Globalization.CultureInfo.InvariantCulture);

    [GlobalSetup]
    public void Setup()
    {
        var random = new Random(1);
        _kernels = KernelSet.Create(Isa);
        _qkv = Enumerable.Range(0, T * 3 * C).Select(_ => random.NextSingle() - 0.5f).ToArray();
        _output = new float[T * C];
        _scratch = new float[KernelSet.AttentionScratchSize(T, T)];
    }

    [Benchmark]
    public void Attention()
    {
        var c = C;
        _kernels.Attention(_qkv, 3 * c, _qkv.AsSpan(c), 3 * c, _qkv.AsSpan(2 * c), 3 * c, T, T, c / Shapes.Heads, 1f / MathF.Sqrt(c / Shapes.Heads), _output, c, 0, Shapes.Heads, _scratch);
    }
}

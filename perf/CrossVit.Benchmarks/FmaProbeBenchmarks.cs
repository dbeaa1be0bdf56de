using BenchmarkDotNet.Attributes;
using CrossVit.Runtime.Kernels;

namespace CrossVit.Benchmarks;

/// <summary>The plain FMA loop, measured in the same run: the attainable peak to read the kernel numbers against.</summary>
[Config(typeof(BenchConfig))]
public class FmaProbeBenchmarks : IThroughput
{
    [ParamsSource(nameof(Isas))]
    public Isa Isa { get; set; }

    [Params("16acc")]
    public string Shape { get; set; } = "16acc";

    public static IEnumerable<Isa> Isas => BenchIsas.All;

    public double Work => FmaPeak.LoopFlops(Isa);

    public bool IsBandwidth => false;

    [Benchmark]
    public float FmaLoop() => FmaPeak.Loop(Isa);
}

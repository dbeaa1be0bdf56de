using BenchmarkDotNet.Attributes;
using CrossVit.Runtime.Config;
using CrossVit.Runtime.Engine;

namespace CrossVit.Benchmarks;

/// <summary>Whole forward passes of a preset through one session, by batch and thread count.</summary>
public class ForwardBenchmarks : SessionBenchmarks
{
    [Params("crossvit_9_dagger_240", "crossvit_small_240")]
    public string Model { get; set; } = "crossvit_9_dagger_240";

    [Params(1, 8)]
    public int Batch { get; set; } = 1;

    [Params(1, 2)]
    public int Threads { get; set; } = 1;

    [GlobalSetup]
    public void Setup() => Open(Presets.Get(Model), new SessionOptions { MaxBatch = Batch, Threads = Threads });
}

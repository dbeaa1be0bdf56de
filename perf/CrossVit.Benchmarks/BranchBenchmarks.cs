using BenchmarkDotNet.Attributes;
using CrossVit.Runtime.Config;
using CrossVit.Runtime.Engine;

namespace CrossVit.Benchmarks;

/// <summary>
/// Branch scheduling on 2 threads, batch 1: each model's branches one after another and concurrently.
/// equal_branches_224 (perf/configs) has two branches of equal work, where concurrency pays; crossvit_9_dagger_240's
/// branches are unequal (22% and 78% of the work), where it does not.
/// </summary>
public class BranchBenchmarks : SessionBenchmarks
{
    [Params("equal_branches_224", "crossvit_9_dagger_240")]
    public string Model { get; set; } = "equal_branches_224";

    [Params(BranchScheduling.Sequential, BranchScheduling.Concurrent)]
    public BranchScheduling Branches { get; set; }

    [GlobalSetup]
    public void Setup() =>
        Open(Presets.Names.Contains(Model) ? Presets.Get(Model) : EmbeddedConfig(Model), new SessionOptions { Threads = 2, Branches = Branches });

    /// <summary>A config of perf/configs, embedded in this assembly.</summary>
    private static CrossVitConfig EmbeddedConfig(string name)
    {
        using var stream = typeof(BranchBenchmarks).Assembly.GetManifestResourceStream($"{name}.json")
            ?? throw new ArgumentException($"No preset or perf/configs file named {name}.");
        using var reader = new StreamReader(stream);
        return CrossVitConfigJson.Parse(reader.ReadToEnd());
    }
}

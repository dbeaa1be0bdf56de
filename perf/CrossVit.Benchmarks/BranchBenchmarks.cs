using BenchmarkDotNet.Attributes;
using CrossVit.Runtime.Config;
using CrossVit.Runtime.Engine;
using CrossVit.Runtime.Model;
using CrossVit.Weights;

namespace CrossVit.Benchmarks;

/// <summary>
/// Branch scheduling on 2 threads, batch 1: each model's stages with their branches one after another and concurrently.
/// equal_branches_224 (perf/configs) has two branches of equal work, where concurrency pays; crossvit_9_dagger_240's
/// branches are unequal (22% and 78% of the work), where it does not. MemoryDiagnoser shows 0 B either way.
/// </summary>
[Config(typeof(BenchConfig))]
[MemoryDiagnoser]
public class BranchBenchmarks : IDisposable
{
    private CrossVitModel model = null!;
    private InferenceSession session = null!;
    private float[] input = [];
    private float[] output = [];

    [Params("equal_branches_224", "crossvit_9_dagger_240")]
    public string Model { get; set; } = "equal_branches_224";

    [Params(BranchScheduling.Sequential, BranchScheduling.Concurrent)]
    public BranchScheduling Branches { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var config = Presets.Names.Contains(Model) ? Presets.Get(Model) : EmbeddedConfig(Model);
        using var file = SafetensorsFile.FromBytes(RandomWeights.Create(config, seed: 0).ToArray());
        model = CrossVitModel.Load(config, file);
        session = model.CreateSession(new SessionOptions { Threads = 2, Branches = Branches });
        int size = config.ImgSize[0];
        var random = new Random(0);
        input = new float[config.InChannels * size * size];
        foreach (ref float v in input.AsSpan()) v = (float)(random.NextDouble() * 4 - 2);
        output = new float[config.OutputSize];
    }

    [Benchmark]
    public void Forward() => session.Run(input, 1, model.Config.ImgSize[0], model.Config.ImgSize[0], output);

    [GlobalCleanup]
    public void Dispose()
    {
        session.Dispose();
        model.Dispose();
        GC.SuppressFinalize(this);
    }

    /// <summary>A config of perf/configs, embedded in this assembly.</summary>
    private static CrossVitConfig EmbeddedConfig(string name)
    {
        using var stream = typeof(BranchBenchmarks).Assembly.GetManifestResourceStream($"{name}.json")
            ?? throw new ArgumentException($"No preset or perf/configs file named {name}.");
        using var reader = new StreamReader(stream);
        return CrossVitConfigJson.Parse(reader.ReadToEnd());
    }
}

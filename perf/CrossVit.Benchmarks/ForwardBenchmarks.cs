using BenchmarkDotNet.Attributes;
using CrossVit.Runtime.Config;
using CrossVit.Runtime.Engine;
using CrossVit.Runtime.Model;
using CrossVit.Weights;

namespace CrossVit.Benchmarks;

/// <summary>Whole forward passes of a preset through one session (seeded random weights); MemoryDiagnoser shows 0 B per pass.</summary>
[Config(typeof(BenchConfig))]
[MemoryDiagnoser]
public class ForwardBenchmarks : IDisposable
{
    private CrossVitModel model = null!;
    private InferenceSession session = null!;
    private float[] input = [];
    private float[] output = [];

    [Params("crossvit_9_dagger_240", "crossvit_small_240")]
    public string Model { get; set; } = "crossvit_9_dagger_240";

    [Params(1, 8)]
    public int Batch { get; set; } = 1;

    [Params(1, 2)]
    public int Threads { get; set; } = 1;

    [GlobalSetup]
    public void Setup()
    {
        var config = Presets.Get(Model);
        using var file = SafetensorsFile.FromBytes(RandomWeights.Create(config, seed: 0).ToArray());
        model = CrossVitModel.Load(config, file);
        session = model.CreateSession(new SessionOptions { MaxBatch = Batch, Threads = Threads });
        int size = config.ImgSize[0];
        var random = new Random(0);
        input = new float[Batch * config.InChannels * size * size];
        foreach (ref float v in input.AsSpan()) v = (float)(random.NextDouble() * 4 - 2);
        output = new float[Batch * config.OutputSize];
    }

    [Benchmark]
    public void Forward() => session.Run(input, Batch, model.Config.ImgSize[0], model.Config.ImgSize[0], output);

    [GlobalCleanup]
    public void Dispose()
    {
        session.Dispose();
        model.Dispose();
        GC.SuppressFinalize(this);
    }
}

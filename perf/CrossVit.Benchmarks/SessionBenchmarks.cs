using BenchmarkDotNet.Attributes;
using CrossVit.Runtime.Config;
using CrossVit.Runtime.Engine;
using CrossVit.Runtime.Model;

namespace CrossVit.Benchmarks;

/// <summary>Whole forward passes through one session of a model with seeded random weights; MemoryDiagnoser shows 0 B per pass.</summary>
[Config(typeof(BenchConfig))]
[MemoryDiagnoser]
public abstract class SessionBenchmarks : IDisposable
{
    private CrossVitModel model = null!;
    private InferenceSession session = null!;
    private float[] input = [];
    private float[] output = [];
    private int batch;

    [Benchmark]
    public void Forward() => session.Run(input, batch, model.Config.ImgSize[0], model.Config.ImgSize[0], output);

    [GlobalCleanup]
    public void Dispose()
    {
        session.Dispose();
        model.Dispose();
        GC.SuppressFinalize(this);
    }

    /// <summary>Loads <paramref name="config"/> and opens the session the benchmark runs, at its largest batch.</summary>
    protected void Open(CrossVitConfig config, SessionOptions options)
    {
        model = RandomWeights.Load(config, seed: 0);
        session = model.CreateSession(options);
        batch = options.MaxBatch;
        int size = config.ImgSize[0];
        var random = new Random(0);
        input = new float[batch * config.InChannels * size * size];
        foreach (ref float v in input.AsSpan()) v = (float)(random.NextDouble() * 4 - 2);
        output = new float[batch * config.OutputSize];
    }
}

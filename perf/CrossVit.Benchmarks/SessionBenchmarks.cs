using BenchmarkDotNet.Attributes;
using CrossVit.Runtime.Config;
using CrossVit.Runtime.Engine;
using CrossVit.Runtime.Model;

namespace CrossVit.Benchmarks;

/// <summary>Whole forward passes through one _session of a _model with seeded random weights; MemoryDiagnoser shows 0 B per pass.</summary>
[Config(typeof(BenchConfig))]
[MemoryDiagnoser]
public abstract class SessionBenchmarks : IDisposable
{
    private CrossVitModel _model = null!;
    private InferenceSession _session = null!;
    private float[] _input = [];
    private float[] _output = [];
    private int _batch;

    [Benchmark]
    public void Forward() => _session.Run(_input, _batch, _model.Config.ImgSize[0], _model.Config.ImgSize[0], _output);

    [GlobalCleanup]
    public void Dispose()
    {
        _session.Dispose();
        _model.Dispose();
        GC.SuppressFinalize(this);
    }

    /// <summary>Loads <paramref name="config"/> and opens the _session the benchmark runs, at its largest _batch.</summary>
    protected void Open(CrossVitConfig config, SessionOptions options)
    {
        _model = RandomWeights.Load(config, seed: 0);
        _session = _model.CreateSession(options);
        _batch = options.MaxBatch;
        int size = config.ImgSize[0];
        var random = new Random(0);
        _input = new float[_batch * config.InChannels * size * size];
        foreach (ref float v in _input.AsSpan()) v = (float)(random.NextDouble() * 4 - 2);
        _output = new float[_batch * config.OutputSize];
    }
}

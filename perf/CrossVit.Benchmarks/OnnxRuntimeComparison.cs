using BenchmarkDotNet.Attributes;
using CrossVit.Runtime.Config;
using CrossVit.Runtime.Model;
using Microsoft.ML.OnnxRuntime;

namespace CrossVit.Benchmarks;

/// <summary>
/// Our session against ONNX Runtime's .NET API, side by side in one process: the same weights (the ONNX model is
/// exported from the same safetensors, see <see cref="CompareFiles"/>), the same input, the same threads (ONNX
/// Runtime's intra-op threads, operators one after another). Models, batches and threads come from
/// CROSSVIT_COMPARE_MODELS, CROSSVIT_COMPARE_BATCH and CROSSVIT_COMPARE_THREADS (comma-separated; by default
/// crossvit_9_dagger_240, 1,8 and 1,2).
/// </summary>
[Config(typeof(BenchConfig))]
[MemoryDiagnoser]
public class OnnxRuntimeComparison : IDisposable
{
    private CrossVitModel _model = null!;
    private Runtime.Engine.InferenceSession _ours = null!;
    private Microsoft.ML.OnnxRuntime.InferenceSession _ort = null!;
    private OrtValue _ortInput = null!, _ortOutput = null!;
    private RunOptions _runOptions = null!;
    private string[] _inputNames = [], _outputNames = [];
    private float[] _input = [], _output = [], _ortLogits = [];
    private int _size;

    public static IEnumerable<string> Models => CompareFiles.List("CROSSVIT_COMPARE_MODELS", "crossvit_9_dagger_240");

    public static IEnumerable<int> Batches => CompareFiles.List("CROSSVIT_COMPARE_BATCH", "1,8").Select(int.Parse);

    public static IEnumerable<int> ThreadCounts => CompareFiles.List("CROSSVIT_COMPARE_THREADS", "1,2").Select(int.Parse);

    [ParamsSource(nameof(Models))]
    public string Model { get; set; } = "crossvit_9_dagger_240";

    [ParamsSource(nameof(Batches))]
    public int Batch { get; set; } = 1;

    [ParamsSource(nameof(ThreadCounts))]
    public int Threads { get; set; } = 1;

    [GlobalSetup]
    public void Setup()
    {
        _model = CrossVitModel.Load(Presets.Get(Model), CompareFiles.File(Model, "safetensors"));
        _ours = _model.CreateSession(new Runtime.Engine.SessionOptions { MaxBatch = Batch, Threads = Threads });
        _size = _model.Config.ImgSize[0];
        var random = new Random(0);
        _input = new float[Batch * _model.Config.InChannels * _size * _size];
        foreach (ref float v in _input.AsSpan()) v = (float)(random.NextDouble() * 4 - 2);
        _output = new float[Batch * _model.Config.OutputSize];
        _ortLogits = new float[_output.Length];

        _ort = OnnxRuntimeRunner.Open(CompareFiles.File(Model, "onnx"), Threads);
        _inputNames = [_ort.InputNames[0]];
        _outputNames = [_ort.OutputNames[0]];
        // Tensors over our arrays, made once: a run then copies nothing in or out.
        _ortInput = OrtValue.CreateTensorValueFromMemory(_input, [Batch, _model.Config.InChannels, _size, _size]);
        _ortOutput = OrtValue.CreateTensorValueFromMemory(_ortLogits, [Batch, _model.Config.OutputSize]);
        _runOptions = new RunOptions();

        // Not timing different computations: both must give the same logits.
        Ours();
        OnnxRuntime();
        float worst = 0;
        for (int i = 0; i < _output.Length; i++) worst = Math.Max(worst, Math.Abs(_output[i] - _ortLogits[i]));
        if (!(worst <= 1e-3f))
            throw new InvalidOperationException($"{Model}: our logits and ONNX Runtime's differ by up to {worst}; expected at most 1e-3 (same weights?).");
    }

    [Benchmark(Baseline = true)]
    public void Ours() => _ours.Run(_input, Batch, _size, _size, _output);

    [Benchmark]
    public void OnnxRuntime() => _ort.Run(_runOptions, _inputNames, [_ortInput], _outputNames, [_ortOutput]);

    [GlobalCleanup]
    public void Dispose()
    {
        _ours.Dispose();
        _model.Dispose();
        _ort.Dispose();
        _ortInput.Dispose();
        _ortOutput.Dispose();
        _runOptions.Dispose();
        GC.SuppressFinalize(this);
    }
}

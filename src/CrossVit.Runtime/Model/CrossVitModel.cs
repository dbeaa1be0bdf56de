using System.Collections.Concurrent;
using CrossVit.Runtime.Config;
using CrossVit.Runtime.Engine;
using CrossVit.Runtime.Kernels;
using CrossVit.Weights;

namespace CrossVit.Runtime.Model;

/// <summary>
/// A CrossViT model: a validated config and its weights, bound strictly by timm's names and packed for the kernels
/// at load. Immutable and thread-safe: <see cref="CreateSession"/> gives a thread its own working memory and workers,
/// and <see cref="Run(ReadOnlySpan{float}, int, int, int, Span{float})"/> rents such sessions from a pool, so any number
/// of threads may call it at once. Dispose stops the pooled sessions' workers.
/// </summary>
public sealed class CrossVitModel : IDisposable
{
    private readonly CrossVitNet _net;
    private readonly KernelSet _kernels;
    private readonly SessionOptions _pooledOptions;
    private readonly ConcurrentBag<InferenceSession> _pool = [];
    private bool _disposed;

    private CrossVitModel(CrossVitConfig config, Checkpoint checkpoint, KernelSet kernels, SessionOptions pooledOptions)
    {
        Config = config;
        _kernels = kernels;
        _pooledOptions = pooledOptions;
        _net = new CrossVitNet(config, new CheckpointWeights(checkpoint, kernels));
    }

    /// <summary>The model's architecture.</summary>
    public CrossVitConfig Config { get; }

    /// <summary>Sees every branch's tokens after the patch embedding and after each stage of every pass (tests of the layers); null by default.</summary>
    internal TokenObserver? TokenObserver
    {
        get => _net.Observer;
        set => _net.Observer = value;
    }

    /// <summary>The ISA the kernels run on.</summary>
    public Isa Isa => _kernels.Isa;

    /// <summary>Loads a safetensors checkpoint for <paramref name="config"/>.</summary>
    /// <exception cref="CheckpointMismatchException">Tensors are missing, unexpected or wrongly shaped (all are listed).</exception>
    /// <exception cref="TensorFormatException">The file is not valid safetensors.</exception>
    public static CrossVitModel Load(CrossVitConfig config, string weightsPath, ModelOptions? options = null)
    {
        using var file = SafetensorsFile.Open(weightsPath);
        return Load(config, file, options);
    }

    /// <summary>Loads the weights of an open safetensors file for <paramref name="config"/>; the file may be disposed afterwards.</summary>
    public static CrossVitModel Load(CrossVitConfig config, SafetensorsFile weights, ModelOptions? options = null)
    {
        config.Validate();
        options ??= new ModelOptions();
        var pooled = new SessionOptions { Threads = options.Threads, MaxBatch = options.MaxBatch, Branches = options.Branches, Images = options.Images };
        pooled.Validate(config.Branches);
        ModelFootprint.EnsureFits(config, pooled);
        var kernels = KernelSet.CreateSupported(IsaSupport.Resolve(options.Isa));
        return new CrossVitModel(config, new Checkpoint(weights, config, options.Threads), kernels, pooled);
    }

    /// <summary>A session with its own arena and worker threads; use it from one thread at a time.</summary>
    public InferenceSession CreateSession(SessionOptions? options = null)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        options ??= new SessionOptions();
        options.Validate(Config.Branches);
        if (options.Isa is { } isa && isa != _kernels.Isa)
            throw new ArgumentException($"The model's weights are packed for {_kernels.Isa}, not {isa}; load the model with ModelOptions.Isa = {isa}.", nameof(options));
        return NewSession(options);
    }

    /// <summary>A session with options already checked; the arena's memory is checked here, when it is about to be taken.</summary>
    private InferenceSession NewSession(SessionOptions options)
    {
        ModelFootprint.EnsureArenaFits(Config, options);
        return new InferenceSession(Config, _net, _kernels, options);
    }

    /// <summary>Whether <paramref name="weights"/> holds exactly the tensors <paramref name="config"/> needs.</summary>
    public static bool Matches(CrossVitConfig config, SafetensorsFile weights) => Checkpoint.Matches(weights, config);

    /// <summary>
    /// Runs the model on <paramref name="batch"/> images, <paramref name="input"/> float32 NCHW
    /// [batch, in_channels, height, width]; writes [batch, <see cref="CrossVitConfig.OutputSize"/>] to <paramref name="output"/>:
    /// the mean of the branch heads' logits, or the concatenated pooled features when num_classes is 0.
    /// A branch whose size differs from the input's is resized (or center-cropped with crop_scale), as timm does.
    /// </summary>
    public void Run(ReadOnlySpan<float> input, int batch, int height, int width, Span<float> output)
    {
        InferenceSession.CheckRunArguments(Config, input, batch, height, width, output);
        ObjectDisposedException.ThrowIf(_disposed, this);
        // The pooled options were checked when the model loaded.
        if (!_pool.TryTake(out var session)) session = NewSession(_pooledOptions);
        try
        {
            int imageIn = Config.InChannels * height * width, imageOut = Config.OutputSize;
            for (int first = 0; first < batch; first += session.MaxBatch)
            {
                int count = Math.Min(session.MaxBatch, batch - first);
                session.RunChecked(input.Slice(first * imageIn, count * imageIn), count, height, width, output.Slice(first * imageOut, count * imageOut));
            }
        }
        finally
        {
            _pool.Add(session);
            // A call that outlived Dispose must not leave its session's workers running.
            if (Volatile.Read(ref _disposed)) DisposePooled();
        }
    }

    /// <summary>As <see cref="Run(ReadOnlySpan{float}, int, int, int, Span{float})"/>, returning a new [batch, OutputSize] array.</summary>
    public float[] Run(ReadOnlySpan<float> input, int batch, int height, int width)
    {
        var output = new float[batch * Config.OutputSize];
        Run(input, batch, height, width, output);
        return output;
    }

    /// <summary>Stops the workers of the pooled sessions.</summary>
    public void Dispose()
    {
        Volatile.Write(ref _disposed, true);
        DisposePooled();
    }

    private void DisposePooled()
    {
        while (_pool.TryTake(out var session)) session.Dispose();
    }
}

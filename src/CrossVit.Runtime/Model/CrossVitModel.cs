using CrossVit.Runtime.Config;
using CrossVit.Runtime.Engine;
using CrossVit.Runtime.Kernels;
using CrossVit.Weights;

namespace CrossVit.Runtime.Model;

/// <summary>Options of <see cref="CrossVitModel.Load(CrossVitConfig, string, ModelOptions?)"/>.</summary>
public sealed record ModelOptions
{
    /// <summary>Kernel ISA; <c>null</c> means the <c>CROSSVIT_ISA</c> environment variable, else the best this CPU has.</summary>
    public Isa? Isa { get; init; }

    /// <summary>Threads a call may use (images of a batch run side by side); at least 1.</summary>
    public int Threads { get; init; } = 1;
}

/// <summary>
/// A CrossViT model: a validated config and its weights, bound strictly by timm's names and packed for the kernels
/// at load. Immutable; <see cref="Run(ReadOnlySpan{float}, int, int, int, Span{float})"/> may be called from any thread.
/// </summary>
public sealed class CrossVitModel
{
    private readonly CrossVitNet _net;
    private readonly KernelSet _kernels;
    private readonly int _threads;

    private CrossVitModel(CrossVitConfig config, Checkpoint checkpoint, KernelSet kernels, int threads)
    {
        Config = config;
        _kernels = kernels;
        _threads = threads;
        _net = new CrossVitNet(config, checkpoint, kernels);
    }

    /// <summary>The model's architecture.</summary>
    public CrossVitConfig Config { get; }

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
        int threads = options?.Threads ?? 1;
        ArgumentOutOfRangeException.ThrowIfLessThan(threads, 1, "options.Threads");
        var kernels = KernelSet.Create(IsaSupport.Resolve(options?.Isa));
        return new CrossVitModel(config, new Checkpoint(weights, config), kernels, threads);
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
        ArgumentOutOfRangeException.ThrowIfLessThan(batch, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(height, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(width, 1);
        long expected = (long)batch * Config.InChannels * height * width;
        if (input.Length != expected)
            throw new ArgumentException($"Input has {input.Length} floats; expected batch × channels × height × width = {batch} × {Config.InChannels} × {height} × {width} = {expected}.", nameof(input));
        if (output.Length < batch * Config.OutputSize)
            throw new ArgumentException($"Output has room for {output.Length} floats; expected at least batch × {Config.OutputSize} = {batch * Config.OutputSize}.", nameof(output));
        int chunks = Math.Min(_threads, batch);
        if (chunks == 1)
        {
            _net.Forward(_kernels, input, batch, height, width, output, new Workspace());
            return;
        }
        // Images are independent: each thread runs a contiguous share of the batch.
        int imageIn = Config.InChannels * height * width, imageOut = Config.OutputSize;
        var inputs = input.ToArray();
        var outputs = new float[batch * imageOut];
        Parallel.For(0, chunks, new ParallelOptions { MaxDegreeOfParallelism = chunks }, c =>
        {
            int first = batch * c / chunks, count = batch * (c + 1) / chunks - first;
            _net.Forward(_kernels, inputs.AsSpan(first * imageIn, count * imageIn), count, height, width,
                outputs.AsSpan(first * imageOut, count * imageOut), new Workspace());
        });
        outputs.CopyTo(output);
    }

    /// <summary>As <see cref="Run(ReadOnlySpan{float}, int, int, int, Span{float})"/>, returning a new [batch, OutputSize] array.</summary>
    public float[] Run(ReadOnlySpan<float> input, int batch, int height, int width)
    {
        var output = new float[batch * Config.OutputSize];
        Run(input, batch, height, width, output);
        return output;
    }
}

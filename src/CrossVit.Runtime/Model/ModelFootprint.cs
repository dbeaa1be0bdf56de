using CrossVit.Runtime.Config;
using CrossVit.Runtime.Engine;
using CrossVit.Runtime.Kernels;

namespace CrossVit.Runtime.Model;

/// <summary>
/// What a model needs in memory, estimated from its config before anything is allocated for it, so that a model or a
/// batch this process cannot hold is refused with a message instead of attempted. The estimates err on the high side.
/// </summary>
internal static class ModelFootprint
{
    /// <summary>Most parameters: the packed weights are float32 arrays, which hold at most this many elements.</summary>
    public const long MaxParameters = int.MaxValue;

    /// <summary>Bytes of the weights once converted to float32 and packed for the kernels.</summary>
    public static long WeightBytes(CrossVitConfig config) => CheckpointLayout.ParameterCount(config) * sizeof(float);

    /// <summary>
    /// Floats of one session's arena for batches of <paramref name="batch"/> on <paramref name="threads"/> threads: per image
    /// every branch's tokens, the widest block's activations (normalized tokens, q|k|v or the MLP's hidden layer, and the
    /// second head group's product of proj or fc2, <see cref="Layers.LinearGroups"/>), its input
    /// image twice (resized and not) and the stem's two scratch maps; per thread one block of attention scores with a
    /// head's packed keys and values.
    /// </summary>
    public static long ArenaFloats(CrossVitConfig config, int batch, int threads)
    {
        long perImage = 0, perThread = 0;
        for (int b = 0; b < config.Branches; b++)
        {
            long tokens = 1 + config.NumPatches(b), dim = config.EmbedDim[b], size = config.ImgSize[b];
            perImage += tokens * (dim + dim + Math.Max(3 * dim, config.MlpHidden(b)) + dim);
            perImage += 2 * config.InChannels * size * size + 2 * StemScratch(config, b);
            perThread += AttentionBlock.ScratchSize((int)tokens, (int)tokens) + 2 * tokens * dim;
        }
        return batch * perImage + threads * perThread;
    }

    /// <summary>Throws when <paramref name="copies"/> float32 copies of the weights exceed what this process may use.</summary>
    /// <exception cref="ArgumentException">The model has too many parameters, or its weights do not fit in memory.</exception>
    public static void EnsureWeightsFit(CrossVitConfig config, int copies)
    {
        long parameters = Parameters(config);
        EnsureAvailable(copies * parameters * sizeof(float), $"{copies} float32 cop{(copies == 1 ? "y" : "ies")} of its {parameters:N0} parameters");
    }

    /// <summary>Throws when the weights and the arenas of one session with <paramref name="options"/> exceed what this process may use.</summary>
    /// <exception cref="ArgumentException">The model has too many parameters, or does not fit in memory.</exception>
    public static void EnsureFits(CrossVitConfig config, SessionOptions options)
    {
        long parameters = Parameters(config);
        EnsureAvailable(parameters * sizeof(float) + ArenaBytes(config, options), $"its {parameters:N0} parameters and {WorkingMemory(options)}");
    }

    /// <summary>Throws when the arenas of one session with <paramref name="options"/> exceed what this process may use.</summary>
    /// <exception cref="ArgumentException">An arena does not fit in memory or in one array.</exception>
    public static void EnsureArenaFits(CrossVitConfig config, SessionOptions options) =>
        EnsureAvailable(ArenaBytes(config, options), WorkingMemory(options));

    private static long Parameters(CrossVitConfig config)
    {
        long parameters = CheckpointLayout.ParameterCount(config);
        return parameters <= MaxParameters ? parameters
            : throw new ArgumentException($"The model has {parameters:N0} parameters; at most {MaxParameters:N0} are supported.", nameof(config));
    }

    /// <summary>
    /// Bytes of a session's arenas: one per worker for the images it runs by itself and one for the images the workers
    /// share (see <see cref="ImageScheduling"/>), each a single array, indexed by int.
    /// </summary>
    internal static long ArenaBytes(CrossVitConfig config, SessionOptions options)
    {
        int threads = options.Threads, alone = PerWorkerImages.LargestAlone(options.MaxBatch, threads, options.Images);
        int shared = PerWorkerImages.LargestShared(options.MaxBatch, threads, options.Images);
        long floats = Checked(shared, ArenaFloats(config, shared, threads));
        if (alone > 0) floats += threads * Checked(alone, ArenaFloats(config, alone, 1));
        return floats * sizeof(float);
    }

    private static long Checked(int batch, long floats) => floats <= Array.MaxLength ? floats
        : throw new ArgumentException($"A batch of {batch} needs {floats:N0} floats of working memory, more than one array holds; use smaller batches.", nameof(batch));

    private static string WorkingMemory(SessionOptions o) =>
        $"working memory for batches of {o.MaxBatch} on {o.Threads} thread{(o.Threads == 1 ? "" : "s")}";

    private static void EnsureAvailable(long bytes, string what)
    {
        // The GC's budget: physical memory, or the container's or DOTNET_GCHeapHardLimit's limit when one is set.
        long available = GC.GetGCMemoryInfo().TotalAvailableMemoryBytes;
        if (bytes > available)
            throw new ArgumentException($"The model needs about {Gib(bytes)} for {what}; this process can use {Gib(available)}.");
    }

    private static long StemScratch(CrossVitConfig config, int branch)
    {
        var convs = config.StemConvs(branch);
        long largest = 0, side = config.ImgSize[branch];
        foreach (var conv in convs)
        {
            side = conv.OutputSize((int)side);
            largest = Math.Max(largest, side * side * conv.OutChannels);
        }
        return largest;
    }

    private static string Gib(long bytes) => $"{bytes / (double)(1L << 30):F2} GiB";
}

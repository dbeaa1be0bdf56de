namespace CrossVit.Runtime.Profiling;

/// <summary>
/// What a profiled session measured (<see cref="Engine.SessionOptions.Profile"/>): the passes' wall time and every
/// operation's, by layer in the order the pass first reached them. With concurrent branches the operations of
/// different branches overlap, so their times may add up to more than the passes'.
/// </summary>
public sealed class PassProfile
{
    internal PassProfile(int threads, long passes, long images, double milliseconds, IReadOnlyList<OpProfile> layers, double imageWaitMilliseconds)
    {
        Threads = threads;
        Passes = passes;
        Images = images;
        Milliseconds = milliseconds;
        Layers = layers;
        ImageWaitMilliseconds = imageWaitMilliseconds;
    }

    /// <summary>The session's worker threads.</summary>
    public int Threads { get; }

    /// <summary>Passes profiled (calls of <see cref="Engine.InferenceSession.Run"/>).</summary>
    public long Passes { get; }

    /// <summary>Images in those passes.</summary>
    public long Images { get; }

    /// <summary>Wall-clock time of those passes, from entering the forward pass to leaving it.</summary>
    public double Milliseconds { get; }

    /// <summary>Every layer's operations of each kind.</summary>
    public IReadOnlyList<OpProfile> Layers { get; }

    /// <summary>
    /// With images per worker (<see cref="Engine.ImageScheduling.PerWorker"/>): the time workers done with their own images
    /// waited for the others to finish theirs, each worker's counting 1/<see cref="Threads"/> as its operations do; 0
    /// when no worker ran images by itself.
    /// </summary>
    public double ImageWaitMilliseconds { get; }

    /// <summary>
    /// Time in the passes outside every operation and <see cref="ImageWaitMilliseconds"/> (copies of CLS rows and position
    /// embeddings, pooling, waking the workers).
    /// </summary>
    public double OtherMilliseconds => Milliseconds - Layers.Sum(l => l.Milliseconds) - ImageWaitMilliseconds;

    /// <summary>
    /// The layers summed by kind: one entry per <see cref="OpKinds.All"/>, in that order (zero where the model has none),
    /// each with the kind's <see cref="OpKinds.Id"/> as its layer.
    /// </summary>
    public IReadOnlyList<OpProfile> ByKind() =>
    [
        .. OpKinds.All.Select(kind =>
        {
            var of = Layers.Where(l => l.Kind == kind).ToList();
            return new OpProfile(kind, OpKinds.Id(kind), of.Sum(l => l.Calls), of.Sum(l => l.Milliseconds), of.Sum(l => l.MultiplyAdds),
                of.Sum(l => l.Bytes), of.Aggregate(default(OpWaits), (sum, l) => sum + l.Waits));
        }),
    ];
}

using CrossVit.Runtime.Kernels;

namespace CrossVit.Runtime.Engine;

/// <summary>Options of <see cref="Model.CrossVitModel.CreateSession"/>.</summary>
public sealed record SessionOptions
{
    /// <summary>
    /// Largest batch one <see cref="InferenceSession.Run"/> call may take; the arenas are planned for the largest pass it
    /// makes (a worker running images by itself, or a one-thread session, takes at most four in a pass).
    /// </summary>
    public int MaxBatch { get; init; } = 1;

    /// <summary>Worker threads, the calling thread included.</summary>
    public int Threads { get; init; } = 1;

    /// <summary>Must be <c>null</c> or the model's ISA: weights are packed for one ISA when the model loads.</summary>
    public Isa? Isa { get; init; }

    /// <summary>Whether the branches run one after another or concurrently on groups of the workers (see <see cref="BranchScheduling"/>).</summary>
    public BranchScheduling Branches { get; init; } = BranchScheduling.Auto;

    /// <summary>
    /// Whether the workers run whole images by themselves or split each operation of all images (see
    /// <see cref="ImageScheduling"/>). Either way results are bit-identical.
    /// </summary>
    public ImageScheduling Images { get; init; } = ImageScheduling.PerWorker;

    /// <summary>
    /// Whether the session times every operation of its passes, by kind and layer, for <see cref="InferenceSession.ReadProfile"/>.
    /// A session without it does no timing work. Profiling changes no result: outputs stay bit-identical.
    /// </summary>
    public bool Profile { get; init; }

    /// <summary>Throws when these options cannot run a model of <paramref name="branches"/> branches.</summary>
    internal void Validate(int branches)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxBatch, 1, "options.MaxBatch");
        ArgumentOutOfRangeException.ThrowIfLessThan(Threads, 1, "options.Threads");
        if (!Enum.IsDefined(Images)) throw new ArgumentOutOfRangeException("options.Images", Images, "Expected ImageScheduling.PerWorker or ImageScheduling.Shared.");
        if (Branches == BranchScheduling.Concurrent && Threads < branches)
        {
            throw new ArgumentException(
                $"BranchScheduling.Concurrent gives every branch a worker of its own: this model has {branches} branches, so it needs Threads ≥ {branches}, not {Threads}.", "options");
        }
    }
}

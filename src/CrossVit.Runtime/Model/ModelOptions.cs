using CrossVit.Runtime.Config;
using CrossVit.Runtime.Engine;
using CrossVit.Runtime.Kernels;

namespace CrossVit.Runtime.Model;

/// <summary>Options of <see cref="CrossVitModel.Load(CrossVitConfig, string, ModelOptions?)"/>.</summary>
public sealed record ModelOptions
{
    /// <summary>Kernel ISA; <c>null</c> means the <c>CROSSVIT_ISA</c> environment variable, else the best this CPU has.</summary>
    public Isa? Isa { get; init; }

    /// <summary>Worker threads of each session <see cref="CrossVitModel.Run(ReadOnlySpan{float}, int, int, int, Span{float})"/> rents.</summary>
    public int Threads { get; init; } = 1;

    /// <summary>Largest batch a rented session runs at once; larger calls go through in chunks of this size.</summary>
    public int MaxBatch { get; init; } = 8;

    /// <summary>How each rented session schedules the branches (see <see cref="SessionOptions.Branches"/>).</summary>
    public BranchScheduling Branches { get; init; } = BranchScheduling.Auto;

    /// <summary>How each rented session shares a batch's images among its workers (see <see cref="SessionOptions.Images"/>).</summary>
    public ImageScheduling Images { get; init; } = ImageScheduling.PerWorker;
}

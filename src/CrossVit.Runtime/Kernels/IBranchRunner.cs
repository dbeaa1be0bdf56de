namespace CrossVit.Runtime.Kernels;

/// <summary>
/// Runs the branches of a stretch of the pass concurrently, when it chooses to (the session's branch teams, in
/// <c>CrossVit.Runtime.Engine</c>): <see cref="ParallelKernels.Branches"/> falls back to one branch after another when
/// <see cref="Run"/> returns false.
/// </summary>
internal interface IBranchRunner
{
    /// <summary>Runs <paramref name="forward"/> for every branch at once and returns true, or returns false when the branches should run one after another.</summary>
    bool Run(BranchCost[] costs, BranchForward forward, PassTensors t, bool planning);
}

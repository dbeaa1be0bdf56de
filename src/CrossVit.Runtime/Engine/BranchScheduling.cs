namespace CrossVit.Runtime.Engine;

/// <summary>
/// How the branches share a session's worker threads in each part of the pass where they are independent: the patch
/// embedding, and each stage's blocks and fusion (<see cref="InferenceSession.BranchSchedule"/> says what was chosen).
/// </summary>
public enum BranchScheduling
{
    /// <summary>
    /// Concurrent where a cost model of the kernels' splits predicts it at least 5% faster than sequential for the part
    /// and batch at hand, else sequential. On two threads that means only for branches of nearly equal work.
    /// </summary>
    Auto,

    /// <summary>One branch after another, each operation split across all workers.</summary>
    Sequential,

    /// <summary>
    /// All branches at once, each on its own group of workers (sized by the cost model) that splits the branch's
    /// operations among itself. Needs at least as many threads as branches.
    /// </summary>
    Concurrent,
}

namespace CrossVit.Runtime.Profiling;

/// <summary>
/// Worker-milliseconds spent inside operations without work (<see cref="OpProfile.Waits"/>), by when they fell: summed
/// over the team, so two workers can wait up to twice an operation's wall time. All zero on one thread.
/// </summary>
/// <param name="StartMilliseconds">
/// From the operation's start until each worker began its share: the caller's argument checks and waking the others.
/// </param>
/// <param name="UnevenMilliseconds">
/// From each worker's end of its share until the last worker's: shares of unequal work, or equal shares computed at
/// unequal speeds (a core that reads what the other wrote, or that the host runs more slowly); and the whole wall time of
/// every other worker when an operation is too small to split.
/// </param>
/// <param name="JoinMilliseconds">From the last worker's end until the operation returned, for every worker: noticing that all are done.</param>
public readonly record struct OpWaits(double StartMilliseconds, double UnevenMilliseconds, double JoinMilliseconds)
{
    /// <summary>The three parts together.</summary>
    public double TotalMilliseconds => StartMilliseconds + UnevenMilliseconds + JoinMilliseconds;

    /// <summary>Part by part sums, e.g. of the layers of one kind.</summary>
    public static OpWaits operator +(OpWaits a, OpWaits b) =>
        new(a.StartMilliseconds + b.StartMilliseconds, a.UnevenMilliseconds + b.UnevenMilliseconds, a.JoinMilliseconds + b.JoinMilliseconds);
}

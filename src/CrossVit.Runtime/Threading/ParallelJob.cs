namespace CrossVit.Runtime.Threading;

/// <summary>Work split across a <see cref="WorkerTeam"/>: every worker calls <see cref="Execute"/> once per run.</summary>
internal abstract class ParallelJob
{
    /// <summary>Does worker <paramref name="worker"/>'s share (0 ≤ worker &lt; <paramref name="workers"/>).</summary>
    public abstract void Execute(int worker, int workers);
}

namespace CrossVit.Runtime.Threading;

/// <summary>
/// Some of a <see cref="WorkerPool"/>'s workers, working as a team inside one of the pool's jobs: the group's first
/// worker (its leader) runs a branch's layers and hands each operation to the others through <see cref="WorkerTeam.Run"/>,
/// while they wait in <see cref="Serve"/> until the leader <see cref="Close"/>s the group. They spin rather than sleep
/// between operations, which follow one another within microseconds. Allocates nothing.
/// </summary>
internal sealed class WorkerGroup : WorkerTeam
{
    private int _threads = 1;
    private int _generation;     // counts the leader's jobs; a member runs each new one once
    private volatile bool _closed;

    public override int Threads => _threads;

    /// <summary>Prepares the group for <paramref name="threads"/> workers, before the pool's job that uses it starts.</summary>
    public void Open(int threads)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(threads, 1);
        _threads = threads;
        _generation = 0;
        _closed = false;
    }

    protected override void WakeWorkers() => Interlocked.Increment(ref _generation);

    /// <summary>Called by member <paramref name="member"/> (1 ≤ member &lt; Threads): runs the leader's jobs until it closes the group.</summary>
    public void Serve(int member)
    {
        int seen = 0;
        var spin = new SpinWait();
        while (true)
        {
            int generation = Volatile.Read(ref _generation);
            if (generation != seen)
            {
                seen = generation;
                ExecuteCurrent(member);
                SignalDone();
                spin.Reset();
                continue;
            }
            // The leader closes only after its last job's members have all finished, so nothing is missed.
            if (_closed) return;
            spin.SpinOnce(sleep1Threshold: -1);
        }
    }

    /// <summary>Called by the leader when its work is done: the members return from <see cref="Serve"/>.</summary>
    public void Close() => _closed = true;
}

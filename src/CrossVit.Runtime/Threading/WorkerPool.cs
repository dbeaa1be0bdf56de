namespace CrossVit.Runtime.Threading;

/// <summary>
/// A fixed set of persistent worker threads; the calling thread is worker 0. <see cref="Run"/> allocates nothing:
/// workers spin briefly, then sleep on an event, between jobs. Each job's split is a pure function of the worker
/// index, so the work a thread does never depends on timing.
/// </summary>
internal sealed class WorkerPool : WorkerTeam, IDisposable
{
    private readonly Thread[] _threads;
    private readonly ManualResetEventSlim[] _wake;
    private readonly long[] _allocated;     // per worker thread, sampled after each job
    private volatile bool _disposed;

    public WorkerPool(int threads)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(threads, 1);
        Threads = threads;
        _wake = new ManualResetEventSlim[threads - 1];
        _threads = new Thread[threads - 1];
        _allocated = new long[threads - 1];
        for (int i = 0; i < _threads.Length; i++)
        {
            _wake[i] = new ManualResetEventSlim(false, spinCount: 2000);
            // The event creates its lock object on its first blocking wait; do that now, not in a later steady-state run.
            _wake[i].Wait(1);
            int worker = i + 1;
            _threads[i] = new Thread(() => Loop(worker)) { IsBackground = true, Name = $"crossvit-worker-{worker}" };
            _threads[i].Start();
        }
    }

    public override int Threads { get; }

    /// <summary>Bytes the worker threads (not the caller) have allocated, as of their last finished job.</summary>
    public long WorkerAllocatedBytes => _allocated.Sum();

    public override void Run(ParallelJob job)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        base.Run(job);
    }

    protected override void WakeWorkers()
    {
        foreach (var wake in _wake) wake.Set();
    }

    private void Loop(int worker)
    {
        var wake = _wake[worker - 1];
        while (true)
        {
            wake.Wait();
            wake.Reset();
            if (_disposed) return;
            ExecuteCurrent(worker);
            _allocated[worker - 1] = GC.GetAllocatedBytesForCurrentThread();
            SignalDone();
        }
    }

    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        foreach (var wake in _wake) wake.Set();
        foreach (var thread in _threads) thread.Join();
        foreach (var wake in _wake) wake.Dispose();
    }
}

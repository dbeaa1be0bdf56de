namespace CrossVit.Runtime.Engine;

/// <summary>Work split across a <see cref="WorkerPool"/>: every worker calls <see cref="Execute"/> once per run.</summary>
internal abstract class ParallelJob
{
    /// <summary>Does worker <paramref name="worker"/>'s share (0 ≤ worker &lt; <paramref name="workers"/>).</summary>
    public abstract void Execute(int worker, int workers);
}

/// <summary>
/// A fixed set of persistent worker threads; the calling thread is worker 0. <see cref="Run"/> allocates nothing:
/// workers spin briefly, then sleep on an event, between jobs. Each job's split is a pure function of the worker
/// index, so the work a thread does never depends on timing.
/// </summary>
internal sealed class WorkerPool : IDisposable
{
    private readonly Thread[] _threads;
    private readonly ManualResetEventSlim[] _wake;
    private readonly long[] _allocated;     // per worker thread, sampled after each job
    private ParallelJob? _job;
    private int _pending;
    private Exception? _failure;
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

    /// <summary>Workers, the calling thread included.</summary>
    public int Threads { get; }

    /// <summary>Bytes the worker threads (not the caller) have allocated, as of their last finished job.</summary>
    public long WorkerAllocatedBytes => _allocated.Sum();

    /// <summary>Runs <paramref name="job"/> on every worker and returns when all are done; rethrows a worker's exception.</summary>
    public void Run(ParallelJob job)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (Threads == 1)
        {
            job.Execute(0, 1);
            return;
        }
        _job = job;
        _failure = null;
        Volatile.Write(ref _pending, Threads - 1);
        foreach (var wake in _wake) wake.Set();
        try
        {
            job.Execute(0, Threads);
        }
        finally
        {
            var spin = new SpinWait();
            while (Volatile.Read(ref _pending) != 0) spin.SpinOnce(sleep1Threshold: -1);
            _job = null;
        }
        if (_failure is { } failure) throw new AggregateException("A worker thread failed.", failure);
    }

    private void Loop(int worker)
    {
        var wake = _wake[worker - 1];
        while (true)
        {
            wake.Wait();
            wake.Reset();
            if (_disposed) return;
            try
            {
                _job!.Execute(worker, Threads);
            }
            catch (Exception e)
            {
                _failure = e;
            }
            _allocated[worker - 1] = GC.GetAllocatedBytesForCurrentThread();
            Interlocked.Decrement(ref _pending);
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

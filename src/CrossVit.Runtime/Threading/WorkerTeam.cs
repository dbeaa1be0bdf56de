namespace CrossVit.Runtime.Threading;

/// <summary>
/// Threads that run a <see cref="ParallelJob"/> together, the calling thread as worker 0: a session's whole
/// <see cref="WorkerPool"/>, or the <see cref="WorkerGroup"/> one branch has while the branches run concurrently.
/// The team hands out the job and waits for it; the subclass wakes its other workers, which call
/// <see cref="ExecuteCurrent"/> then <see cref="SignalDone"/>.
/// </summary>
internal abstract class WorkerTeam
{
    private ParallelJob? _job;
    private int _pending;
    private Exception? _failure;

    /// <summary>Workers, the calling thread included.</summary>
    public abstract int Threads { get; }

    /// <summary>Runs <paramref name="job"/> on every worker and returns when all are done; rethrows a worker's exception.</summary>
    public virtual void Run(ParallelJob job)
    {
        if (Threads == 1)
        {
            job.Execute(0, 1);
            return;
        }
        _job = job;
        _failure = null;
        Volatile.Write(ref _pending, Threads - 1);
        WakeWorkers();
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

    /// <summary>Has workers 1.. start on the job just set.</summary>
    protected abstract void WakeWorkers();

    /// <summary>Runs the current job as worker <paramref name="worker"/>, keeping its exception for <see cref="Run"/> to rethrow.</summary>
    protected void ExecuteCurrent(int worker)
    {
        try
        {
            _job!.Execute(worker, Threads);
        }
        catch (Exception e)
        {
            _failure = e;
        }
    }

    /// <summary>Tells <see cref="Run"/> that one more worker has finished the current job.</summary>
    protected void SignalDone() => Interlocked.Decrement(ref _pending);
}

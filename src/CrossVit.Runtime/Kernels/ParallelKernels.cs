using CrossVit.Runtime.Profiling;
using CrossVit.Runtime.Threading;

namespace CrossVit.Runtime.Kernels;

/// <summary>
/// The kernels as the model calls them, each operation split across a <see cref="WorkerTeam"/> (a session's pool, or
/// one branch's group of it while the branches run concurrently, see <see cref="Branches"/>): GEMMs, convolutions and
/// norms by bands of half GEMM row tiles (alike, so a worker reads the rows it wrote; GEMMs of a few rows or of weights
/// past a core's L2 by weight panels), attention by (image, head, chunk of query rows), resize by output rows,
/// element-wise ops by aligned chunks. Split points fall on whole rows, panels and multiples of a vector-friendly
/// granule, so every output element is computed by the same instructions whatever the thread count: results are
/// bit-identical for any number of threads.
/// Each operation's split lives in the operation's own file, next to its kernel and its checked entry in
/// <see cref="KernelSet"/>: the arguments are checked once per operation, then every worker's share goes by pointer
/// straight to the ISA's <see cref="KernelImpl"/>.
/// In planning mode nothing is computed; the forward pass only walks its buffers, which sizes the session's arena.
/// With a recorder (a profiled session) every operation adds its time, work and waits to the site its layer passes;
/// without one, each operation's profiling is a null check.
/// </summary>
internal sealed unsafe partial class ParallelKernels
{
    private readonly KernelSet _kernels;
    private readonly KernelImpl _impl;
    private readonly WorkerTeam _team;
    private readonly Workspace _workspace;
    private readonly IBranchRunner? _teams;
    private readonly OpRecorder? _recorder;

    public ParallelKernels(KernelSet kernels, WorkerTeam team, Workspace workspace, IBranchRunner? teams = null, OpRecorder? recorder = null)
    {
        _kernels = kernels;
        _impl = kernels.Impl;
        _team = team;
        _workspace = workspace;
        _teams = teams;
        _recorder = recorder;
    }

    /// <summary>What this profiled session's operations recorded; null when it is not profiled.</summary>
    public OpRecorder? Recorder => _recorder;

    /// <summary>When set, operations return without computing (the arena is being planned).</summary>
    public bool Planning { get; set; }

    /// <summary>
    /// Runs <paramref name="forward"/> for every branch (whose work <paramref name="costs"/> describes): concurrently on
    /// groups of workers when the session's <see cref="IBranchRunner"/> choose to, else one after another on these
    /// kernels and <paramref name="ws"/>.
    /// </summary>
    public void Branches(BranchCost[] costs, BranchForward forward, PassTensors t, Workspace ws)
    {
        if (_teams is not null && _teams.Run(costs, forward, t, Planning)) return;
        for (int i = 0; i < costs.Length; i++) forward(i, this, t, ws);
    }

    /// <summary>Runs <paramref name="work"/> on every worker of the team through its reusable <paramref name="job"/>.</summary>
    private void Run<TWork>(Job<TWork> job, in TWork work)
        where TWork : struct, IWork
    {
        job.Work = work;
        job.Recorder = _recorder;
        _team.Run(job);
    }

    private int Workers(int work, int minimumPerWorker) => Math.Clamp(work / minimumPerWorker, 1, _team.Threads);

    /// <summary>Worker w's share [start, end) of count items, split evenly in multiples of granule.</summary>
    private static (int Start, int End) Share(int count, int granule, int worker, int workers)
    {
        int units = (count + granule - 1) / granule;
        int start = (int)((long)units * worker / workers) * granule, end = (int)((long)units * (worker + 1) / workers) * granule;
        return (Math.Min(start, count), Math.Min(end, count));
    }

    /// <summary>One operation's arguments, as pointers already checked, and the share of it a worker computes.</summary>
    private interface IWork
    {
        void Execute(int worker, int workers);
    }

    /// <summary>A reusable job: each run sets <see cref="Work"/> first, so running allocates nothing.</summary>
    private sealed class Job<TWork> : ParallelJob
        where TWork : struct, IWork
    {
        public TWork Work;

        /// <summary>In a profiled session, where each worker's share begins and ends.</summary>
        public OpRecorder? Recorder;

        public override void Execute(int worker, int workers)
        {
            if (Recorder is null)
            {
                Work.Execute(worker, workers);
                return;
            }
            Recorder.Started[worker] = OpRecorder.Now();
            Work.Execute(worker, workers);
            Recorder.Finished[worker] = OpRecorder.Now();
        }
    }
}

using CrossVit.Runtime.Kernels;
using CrossVit.Runtime.Profiling;
using CrossVit.Runtime.Threading;

namespace CrossVit.Runtime.Engine;

/// <summary>
/// Runs the branches concurrently through a part of the pass (the patch embedding, a stage's blocks, a stage's
/// fusion): the session's workers are cut into one <see cref="WorkerGroup"/> per branch, sized by
/// <see cref="BranchPartition"/>, each with kernels and a workspace of its own; a group's first worker runs its
/// branch's layers and the group splits each operation. The kernels split on the same boundaries whatever the group
/// size, so results stay bit-identical to a sequential run. The partition of every part and batch is chosen once,
/// while the session plans its arena.
/// </summary>
internal sealed unsafe class BranchTeams : ParallelJob, IBranchRunner
{
    private readonly WorkerPool _pool;
    private readonly BranchScheduling _mode;
    private readonly int _rowTile;
    private readonly int _blockRows;
    private readonly WorkerGroup[] _groups;
    private readonly Workspace[] _workspaces;
    private readonly ParallelKernels[] _kernels;
    private readonly int[] _first;    // group i is workers [_first[i], _first[i + 1])
    // Each part of the pass, in the order the pass reaches it, known by its costs: the workers per branch for each
    // batch - 1, null where it runs sequentially.
    private readonly List<(BranchCost[] Costs, int[]?[] Partitions)> _planned = [];
    private BranchForward? _forward;
    private float* _tokens, _images;
    private int _tokensLength, _imagesLength, _batch, _height, _width;

    /// <summary>Cuts <paramref name="pool"/> into groups for <paramref name="branches"/> branches; with <paramref name="profile"/>, each group's operations are recorded.</summary>
    public BranchTeams(KernelSet kernels, WorkerPool pool, int branches, BranchScheduling mode, bool profile = false)
    {
        _pool = pool;
        _mode = mode;
        _rowTile = kernels.RowTile;
        _blockRows = kernels.BlockRows;
        _groups = new WorkerGroup[branches];
        _workspaces = new Workspace[branches];
        _kernels = new ParallelKernels[branches];
        for (int i = 0; i < branches; i++)
        {
            _groups[i] = new WorkerGroup();
            _workspaces[i] = new Workspace();
            _kernels[i] = new ParallelKernels(kernels, _groups[i], _workspaces[i], recorder: profile ? new OpRecorder(pool.Threads) : null);
        }
        _first = new int[branches + 1];
    }

    /// <summary>For each part of the pass, in the order planned, the workers per branch at <paramref name="batch"/>, or null where the branches run one after another.</summary>
    public IEnumerable<int[]?> Partitions(int batch) => _planned.Select(p => p.Partitions[batch - 1]);

    /// <summary>What each group's operations recorded, in a profiled session (else empty).</summary>
    public IEnumerable<OpRecorder> Recorders => _kernels.Select(k => k.Recorder).OfType<OpRecorder>();

    /// <summary>Gives back every buffer of the workspaces, after a pass that failed part-way.</summary>
    public void ReleaseWorkspaces()
    {
        foreach (var workspace in _workspaces) workspace.Release(0);
    }

    /// <summary>Floats in the groups' workspaces.</summary>
    public int ArenaSize => _workspaces.Sum(w => w.Capacity);

    /// <summary>
    /// Runs <paramref name="forward"/> for every branch at once and returns true, or returns false when the branches
    /// should run one after another. While planning (at the session's largest batch) it computes nothing: it chooses
    /// the partition for every batch, walks each group's workspace for every distinct partition, and returns false so
    /// the sequential path is planned as well.
    /// </summary>
    public bool Run(BranchCost[] costs, BranchForward forward, PassTensors t, bool planning)
    {
        if (planning)
        {
            Plan(costs, forward, t);
            return false;
        }
        if (PlannedPartitions(costs)[t.Batch - 1] is not { } sizes) return false;
        Open(sizes);
        fixed (float* tokens = t.Tokens) fixed (float* images = t.Images)
        {
            _forward = forward;
            _tokens = tokens;
            _images = images;
            (_tokensLength, _imagesLength, _batch, _height, _width) = (t.Tokens.Length, t.Images.Length, t.Batch, t.Height, t.Width);
            try
            {
                _pool.Run(this);
            }
            finally
            {
                _forward = null;
            }
        }
        return true;
    }

    /// <summary>Worker <paramref name="worker"/> of the pool: leads its group through its branch, or serves the leader.</summary>
    public override void Execute(int worker, int workers)
    {
        int g = 0;
        while (worker >= _first[g + 1]) g++;
        var group = _groups[g];
        int member = worker - _first[g];
        if (member != 0)
        {
            group.Serve(member);
            return;
        }
        try
        {
            var t = new PassTensors(new Span<float>(_tokens, _tokensLength), new ReadOnlySpan<float>(_images, _imagesLength), _batch, _height, _width);
            _forward!(g, _kernels[g], t, _workspaces[g]);
        }
        finally
        {
            group.Close();
        }
    }

    /// <summary>
    /// Chooses the partition for every batch up to t.Batch and walks every branch through each distinct one, on its
    /// group's kernels and workspace, without computing.
    /// </summary>
    private void Plan(BranchCost[] costs, BranchForward forward, PassTensors t)
    {
        var partitions = new int[]?[t.Batch];
        for (int b = 1; b <= t.Batch; b++)
        {
            var sizes = new int[costs.Length];
            if (!BranchPartition.Choose(costs, b, _pool.Threads, _rowTile, _blockRows, _mode, sizes)) continue;
            // Batches that choose the same partition share it, and its walk at the largest batch.
            partitions[b - 1] = Array.Find(partitions, p => p is not null && p.AsSpan().SequenceEqual(sizes));
            if (partitions[b - 1] is not null) continue;
            partitions[b - 1] = sizes;
            Open(sizes);
            for (int i = 0; i < costs.Length; i++)
            {
                _kernels[i].Planning = true;
                forward(i, _kernels[i], t, _workspaces[i]);
                _kernels[i].Planning = false;
            }
        }
        _planned.Add((costs, partitions));
    }

    /// <summary>The partitions <see cref="Plan"/> chose for the part whose costs are <paramref name="costs"/> (the same array).</summary>
    private int[]?[] PlannedPartitions(BranchCost[] costs)
    {
        foreach (var (planned, partitions) in _planned)
            if (ReferenceEquals(planned, costs)) return partitions;
        throw new InvalidOperationException("This part of the pass was not planned: the session plans every part at creation.");
    }

    private void Open(int[] sizes)
    {
        for (int i = 0; i < _groups.Length; i++)
        {
            _groups[i].Open(sizes[i]);
            _first[i + 1] = _first[i] + sizes[i];
        }
    }
}

using CrossVit.Runtime.Kernels;

namespace CrossVit.Runtime.Engine;

/// <summary>One branch's layers of a stage: tokens holds every branch's tokens; k and ws are the ones this branch runs on.</summary>
internal delegate void BranchForward(int branch, ParallelKernels k, Span<float> tokens, int batch, Workspace ws);

/// <summary>
/// Runs the branches of a stage concurrently: the session's workers are cut into one <see cref="WorkerGroup"/> per
/// branch, sized by <see cref="BranchPartition"/>, each with kernels and a workspace of its own; a group's first worker
/// runs its branch's layers and the group splits each operation. The kernels split on the same boundaries whatever the
/// group size, so results stay bit-identical to a sequential run.
/// </summary>
internal sealed unsafe class BranchTeams : ParallelJob
{
    private readonly WorkerPool _pool;
    private readonly BranchScheduling _mode;
    private readonly int _rowTile;
    private readonly WorkerGroup[] _groups;
    private readonly Workspace[] _workspaces;
    private readonly ParallelKernels[] _kernels;
    private readonly int[] _sizes;
    private readonly int[] _first;    // group i is workers [_first[i], _first[i + 1])
    private BranchForward? _forward;
    private float* _tokens;
    private int _length, _batch;

    public BranchTeams(KernelSet kernels, WorkerPool pool, int branches, BranchScheduling mode)
    {
        _pool = pool;
        _mode = mode;
        _rowTile = kernels.RowTile;
        _groups = new WorkerGroup[branches];
        _workspaces = new Workspace[branches];
        _kernels = new ParallelKernels[branches];
        for (int i = 0; i < branches; i++)
        {
            _groups[i] = new WorkerGroup();
            _workspaces[i] = new Workspace();
            _kernels[i] = new ParallelKernels(kernels, _groups[i], _workspaces[i]);
        }
        _sizes = new int[branches];
        _first = new int[branches + 1];
    }

    /// <summary>Floats in the groups' workspaces.</summary>
    public int ArenaSize => _workspaces.Sum(w => w.Capacity);

    /// <summary>
    /// Runs <paramref name="forward"/> for every branch at once and returns true, or returns false when the branches
    /// should run one after another. While planning it computes nothing: it walks each group's workspace for every
    /// partition that a batch up to <paramref name="batch"/> may choose, and returns false so the sequential path is
    /// planned as well.
    /// </summary>
    public bool Run(ReadOnlySpan<BranchShape> shapes, BranchForward forward, Span<float> tokens, int batch, bool planning)
    {
        if (planning)
        {
            // Batches that choose the same partition need the same walk (at the largest batch) only once.
            Span<int> planned = stackalloc int[_sizes.Length];
            for (int b = 1; b <= batch; b++)
            {
                if (!BranchPartition.Choose(shapes, b, _pool.Threads, _rowTile, _mode, _sizes) || _sizes.AsSpan().SequenceEqual(planned)) continue;
                Plan(shapes.Length, forward, tokens, batch);
                _sizes.CopyTo(planned);
            }
            return false;
        }
        if (!BranchPartition.Choose(shapes, batch, _pool.Threads, _rowTile, _mode, _sizes)) return false;
        Open();
        fixed (float* p = tokens)
        {
            _forward = forward;
            _tokens = p;
            (_length, _batch) = (tokens.Length, batch);
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
            _forward!(g, _kernels[g], new Span<float>(_tokens, _length), _batch, _workspaces[g]);
        }
        finally
        {
            group.Close();
        }
    }

    /// <summary>Walks every branch on its group's kernels and workspace, sized as <see cref="_sizes"/> says, without computing.</summary>
    private void Plan(int branches, BranchForward forward, Span<float> tokens, int batch)
    {
        Open();
        for (int i = 0; i < branches; i++)
        {
            _kernels[i].Planning = true;
            forward(i, _kernels[i], tokens, batch, _workspaces[i]);
            _kernels[i].Planning = false;
        }
    }

    private void Open()
    {
        for (int i = 0; i < _groups.Length; i++)
        {
            _groups[i].Open(_sizes[i]);
            _first[i + 1] = _first[i] + _sizes[i];
        }
    }
}

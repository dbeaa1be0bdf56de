namespace CrossVit.Runtime.Engine;

/// <summary>One branch's ViT blocks in a stage, as <see cref="BranchPartition"/> costs them.</summary>
internal readonly record struct BranchShape(int Tokens, int Dim, int Hidden, int Heads, int Blocks);

/// <summary>
/// Decides how the branches of a stage share the workers. A branch's time on g workers is modelled as the work of
/// the busiest worker, split as <see cref="ParallelKernels"/> splits it: GEMMs by whole row tiles (evenly when there
/// are fewer tiles than workers, as the panel split is), attention by (image, head, chunk); plus the weights, which
/// every worker of a row-split GEMM streams in full. The branches are unequal (crossvit_9_dagger_240: 401 tokens × 128
/// wide, 1 block, against 197 × 256, 3 blocks), so groups of equal size would leave the small branch's workers idle;
/// the partition minimises the slowest group.
/// </summary>
internal static class BranchPartition
{
    /// <summary>
    /// Multiply-adds a worker could do in the time it streams one weight from the shared cache: an AVX-512 core does
    /// 32 a cycle and brings in roughly 16 bytes a cycle, so 4 bytes cost about 8.
    /// </summary>
    private const double WeightCost = 8;

    /// <summary>
    /// Concurrent groups must beat the sequential estimate by this factor: they share caches and memory bandwidth and
    /// wait for the slowest group, none of which the model sees.
    /// </summary>
    private const double Margin = 0.95;

    /// <summary>
    /// Workers per branch (filled into <paramref name="sizes"/>, summing to <paramref name="threads"/>) and true to run
    /// the branches concurrently; false to run them one after another on every worker.
    /// </summary>
    public static bool Choose(ReadOnlySpan<BranchShape> branches, int batch, int threads, int rowTile, BranchScheduling mode, Span<int> sizes)
    {
        int n = branches.Length;
        if (mode == BranchScheduling.Sequential || n < 2 || threads < n) return false;
        Span<int> trial = stackalloc int[n];
        double best = double.MaxValue;
        Search(branches, batch, rowTile, 0, threads, trial, sizes, ref best);
        if (mode == BranchScheduling.Concurrent) return true;
        double sequential = 0;
        foreach (var b in branches) sequential += Time(b, batch, threads, rowTile);
        return best < Margin * sequential;
    }

    /// <summary>Modelled work, in multiply-adds, of the busiest of <paramref name="workers"/> running branch <paramref name="b"/>.</summary>
    internal static double Time(BranchShape b, int batch, int workers, int rowTile)
    {
        long rows = (long)batch * b.Tokens, tiles = (rows + rowTile - 1) / rowTile;
        double perRow = 4.0 * b.Dim * b.Dim + 2.0 * b.Dim * b.Hidden;   // qkv, proj, fc1, fc2: also the weights' count
        double gemmRows = tiles >= workers ? Ceiling(tiles, workers) * rowTile : (double)rows / workers;
        int pairs = batch * b.Heads, chunks = ParallelKernels.QueryChunks(pairs, b.Tokens, workers);
        double perItem = 2.0 * Math.Ceiling((double)b.Tokens / chunks) * b.Tokens * (b.Dim / b.Heads);   // QKᵀ and P·V
        return b.Blocks * ((gemmRows + WeightCost) * perRow + Ceiling((long)pairs * chunks, workers) * perItem);
    }

    /// <summary>Tries every split of <paramref name="workers"/> over branches first.. (at least one each), keeping the best in <paramref name="sizes"/>.</summary>
    private static void Search(ReadOnlySpan<BranchShape> branches, int batch, int rowTile, int first, int workers,
        Span<int> trial, Span<int> sizes, ref double best)
    {
        int last = branches.Length - 1;
        if (first == last)
        {
            trial[last] = workers;
            double slowest = 0;
            for (int i = 0; i <= last; i++) slowest = Math.Max(slowest, Time(branches[i], batch, trial[i], rowTile));
            if (slowest < best)
            {
                best = slowest;
                trial.CopyTo(sizes);
            }
            return;
        }
        for (int g = 1; g <= workers - (last - first); g++)
        {
            trial[first] = g;
            Search(branches, batch, rowTile, first + 1, workers - g, trial, sizes, ref best);
        }
    }

    private static long Ceiling(long count, int workers) => (count + workers - 1) / workers;
}

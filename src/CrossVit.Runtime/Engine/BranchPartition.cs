using CrossVit.Runtime.Kernels;

namespace CrossVit.Runtime.Engine;

/// <summary>
/// Decides how the branches share the workers in a part of the pass where they may run concurrently (the patch
/// embedding, a stage's blocks, a stage's fusion: <see cref="BranchCost"/>). A branch's time on g workers is modelled
/// as the work of the busiest worker, split as <see cref="ParallelKernels"/> splits it: GEMMs by whole row tiles (by
/// weight panels when there are fewer tiles than workers or the weights outgrow L2), attention by (image, head,
/// chunk), or on one worker for GEMMs too small to split; plus the weights, which every worker of a row-split GEMM
/// streams in full, and a fixed cost per split operation for waking the workers. The branches are unequal
/// (crossvit_9_dagger_240: 401 tokens × 128 wide, 1 block, against 197 × 256, 3 blocks), so groups of equal size would
/// leave the small branch's workers idle; the partition minimises the slowest group.
/// </summary>
internal static class BranchPartition
{
    /// <summary>
    /// Multiply-adds a worker could do in the time it streams one weight from the shared cache: an AVX-512 core does
    /// 32 a cycle and brings in roughly 16 bytes a cycle, so 4 bytes cost about 8.
    /// </summary>
    private const double WeightCost = 8;

    /// <summary>
    /// Multiply-adds a worker could do in the time a team of several takes to start an operation and wait for it:
    /// about 0.5 µs (the pool's round trip, the first line of <c>CrossVit.Benchmarks quick</c>) at some 60 billion a
    /// second. It decides the fusion, whose operations are small enough for this to weigh.
    /// </summary>
    private const double SyncCost = 30_000;

    /// <summary>
    /// Concurrent groups must beat the sequential estimate by this factor: they share caches and memory bandwidth and
    /// wait for the slowest group, none of which the model sees.
    /// </summary>
    private const double Margin = 0.95;

    /// <summary>
    /// Workers per branch (filled into <paramref name="sizes"/>, summing to <paramref name="threads"/>) and true to run
    /// the branches concurrently; false to run them one after another on every worker.
    /// </summary>
    public static bool Choose(ReadOnlySpan<BranchCost> branches, int batch, int threads, int rowTile, int blockRows, BranchScheduling mode, Span<int> sizes)
    {
        int n = branches.Length;
        if (mode == BranchScheduling.Sequential || n < 2 || threads < n) return false;
        Span<int> trial = stackalloc int[n];
        double best = double.MaxValue;
        Search(branches, batch, rowTile, blockRows, 0, threads, trial, sizes, ref best);
        if (mode == BranchScheduling.Concurrent) return true;
        double sequential = 0;
        foreach (var b in branches) sequential += Time(b, batch, threads, rowTile, blockRows);
        return best < Margin * sequential;
    }

    /// <summary>Modelled work, in multiply-adds, of the busiest of <paramref name="workers"/> running branch <paramref name="b"/>.</summary>
    internal static double Time(BranchCost b, int batch, int workers, int rowTile, int blockRows)
    {
        double time = 0, sync = workers > 1 ? SyncCost : 0;
        foreach (var g in b.Gemms)
        {
            // One call: row bands of whole tiles, every worker streaming all the weights; a GEMM of fewer tiles than
            // workers, or of more weights than a core's L2 at batch 1 (ParallelKernels.SplitsByPanels), is split by
            // weight panels instead, each worker streaming its share. A per-image GEMM (a convolution) makes a
            // row-split call once per image; the few convolutions split by panels (ParallelKernels.ConvSplitsByPanels)
            // keep that estimate, as do batch-1 GEMMs of small, evenly shared panels
            // (ParallelKernels.SharesPanelsEvenly says why): what they gain is cache traffic, outside the model's
            // terms. A Linear too small to split (the fusion's single rows, on narrow branches) runs as on one worker,
            // which nobody wakes.
            long rows = g.PerImage ? g.Rows : (long)batch * g.Rows, tiles = (rows + rowTile - 1) / rowTile;
            int split = !g.PerImage && ParallelKernels.IsTooSmallToSplit(rows * g.Weights) ? 1 : workers;
            double wake = split > 1 ? SyncCost : 0;
            double call = g.PerImage || !ParallelKernels.SplitsByPanels(rows, g.Weights, rowTile, blockRows, split)
                ? (Ceiling(tiles, split) * rowTile + WeightCost) * g.Weights + wake
                : (rows + WeightCost) * g.Weights / split + wake;
            time += g.PerImage ? batch * call : call;
        }
        foreach (var a in b.Attention)
        {
            int pairs = batch * a.Heads, chunks = ParallelKernels.QueryChunks(pairs, a.Queries, workers);
            double perItem = 2.0 * Math.Ceiling((double)a.Queries / chunks) * a.Keys * a.Depth;   // QKᵀ and P·V
            time += Ceiling((long)pairs * chunks, workers) * perItem + sync;
        }
        return time;
    }

    /// <summary>Tries every split of <paramref name="workers"/> over branches first.. (at least one each), keeping the best in <paramref name="sizes"/>.</summary>
    private static void Search(ReadOnlySpan<BranchCost> branches, int batch, int rowTile, int blockRows, int first, int workers,
        Span<int> trial, Span<int> sizes, ref double best)
    {
        int last = branches.Length - 1;
        if (first == last)
        {
            trial[last] = workers;
            double slowest = 0;
            for (int i = 0; i <= last; i++) slowest = Math.Max(slowest, Time(branches[i], batch, trial[i], rowTile, blockRows));
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
            Search(branches, batch, rowTile, blockRows, first + 1, workers - g, trial, sizes, ref best);
        }
    }

    private static long Ceiling(long count, int workers) => (count + workers - 1) / workers;
}

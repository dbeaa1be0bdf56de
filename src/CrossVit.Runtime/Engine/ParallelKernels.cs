using CrossVit.Runtime.Kernels;

namespace CrossVit.Runtime.Engine;

/// <summary>
/// The kernels as the model calls them, each operation split across a <see cref="WorkerTeam"/> (a session's pool, or
/// one branch's group of it while the branches run concurrently, see <see cref="Branches"/>):
/// GEMMs, convolutions and norms by bands of whole GEMM row tiles (alike, so a worker reads the rows it wrote; GEMMs
/// of a few rows by weight panels), attention by (image, head, chunk of query rows), resize by output rows,
/// element-wise ops by aligned chunks. Split points fall on whole rows, panels and multiples of <see cref="Granule"/>
/// elements, so every output element is computed by the same instructions whatever the thread count: results are
/// bit-identical for any number of threads.
/// In planning mode nothing is computed; the forward pass only walks its buffers, which sizes the session's arena.
/// With a <paramref name="recorder"/> (a profiled session) every operation adds its time, work and waits to the site
/// its layer passes; without one, each operation's profiling is a null check.
/// </summary>
internal sealed unsafe class ParallelKernels(KernelSet kernels, WorkerTeam team, Workspace workspace, BranchTeams? teams = null, OpRecorder? recorder = null)
{
    /// <summary>Element-wise chunks are multiples of this (a multiple of every vector width), so tails stay at the end.</summary>
    private const int Granule = 64;

    /// <summary>Fewest query rows in an attention chunk.</summary>
    private const int MinQueryRows = 16;

    /// <summary>Multiply-adds below which a GEMM is not worth waking the workers for (about a microsecond of work).</summary>
    private const long MinMacsToSplit = 1 << 16;

    private readonly Job<LinearWork> _linear = new() { Busy = recorder?.Busy };
    private readonly Job<AttentionWork> _attention = new() { Busy = recorder?.Busy };
    private readonly Job<ClsAttentionWork> _clsAttention = new() { Busy = recorder?.Busy };
    private readonly Job<LayerNormWork> _layerNorm = new() { Busy = recorder?.Busy };
    private readonly Job<GeluWork> _gelu = new() { Busy = recorder?.Busy };
    private readonly Job<ConvWork> _conv = new() { Busy = recorder?.Busy };
    private readonly Job<ResizeWork> _resize = new() { Busy = recorder?.Busy };
    private readonly Job<ChannelsLastWork> _channelsLast = new() { Busy = recorder?.Busy };

    public KernelSet Kernels => kernels;

    /// <summary>What this profiled session's operations recorded; null when it is not profiled.</summary>
    public OpRecorder? Recorder => recorder;

    /// <summary>When set, operations return without computing (the arena is being planned).</summary>
    public bool Planning { get; set; }

    /// <summary>
    /// Runs <paramref name="forward"/> for every branch (whose work <paramref name="costs"/> describes): concurrently on
    /// groups of workers when the session's <see cref="BranchTeams"/> choose to, else one after another on these
    /// kernels and <paramref name="ws"/>.
    /// </summary>
    public void Branches(BranchCost[] costs, BranchForward forward, PassTensors t, Workspace ws)
    {
        if (teams is not null && teams.Run(costs, forward, t, Planning)) return;
        for (int i = 0; i < costs.Length; i++) forward(i, this, t, ws);
    }

    public void Linear(ReadOnlySpan<float> x, int rows, PackedMatrix weight, ReadOnlySpan<float> bias, Span<float> y, Epilogue epilogue = Epilogue.None,
        OpSite? site = null)
    {
        if (Planning) return;
        long start = recorder is null ? 0 : OpRecorder.Now();
        long macs = (long)rows * weight.Rows * weight.Cols;
        if (team.Threads == 1 || macs < MinMacsToSplit)
        {
            kernels.Linear(x, rows, weight, bias, y, epilogue);
            recorder?.Stop(site, start, team.Threads, split: false, macs);
            return;
        }
        fixed (float* px = x) fixed (float* pb = bias) fixed (float* py = y)
        {
            _linear.Work = new LinearWork(kernels, px, rows, weight, pb, bias.Length, py, epilogue, SplitColumns(rows));
            team.Run(_linear);
        }
        recorder?.Stop(site, start, team.Threads, split: true, macs);
    }

    /// <summary>One image's convolution, split into bands of output pixels; each worker builds its im2col blocks in the arena.</summary>
    public void Conv2d(ReadOnlySpan<float> x, int inH, int inW, PackedMatrix weight, int stride, int pad, ReadOnlySpan<float> bias, Span<float> y, Epilogue epilogue,
        OpSite? site = null)
    {
        int scratchSize = kernels.ConvWorkspaceSize, mark = workspace.Mark();
        var scratch = workspace.Take(team.Threads * scratchSize);
        if (!Planning)
        {
            long start = recorder is null ? 0 : OpRecorder.Now();
            var (outH, outW) = KernelSet.ConvOutputSize(inH, inW, weight.KernelH, weight.KernelW, stride, pad);
            fixed (float* px = x) fixed (float* pb = bias) fixed (float* py = y) fixed (float* ps = scratch)
            {
                _conv.Work = new ConvWork(kernels, px, x.Length, inH, inW, weight, stride, pad, pb, bias.Length, py, y.Length, epilogue, outH * outW, ps, scratchSize);
                team.Run(_conv);
            }
            recorder?.Stop(site, start, team.Threads, split: true, (long)outH * outW * weight.Rows * weight.Cols);
        }
        workspace.Release(mark);
    }

    /// <summary>
    /// dst [size, size, channels] = src [channels, srcH, srcW] at rows top.., columns left..: one image made
    /// channels-last (and cropped) for the patch embedding, split into bands of output rows.
    /// </summary>
    public void ChannelsLast(ReadOnlySpan<float> src, int channels, int srcH, int srcW, int top, int left, int size, Span<float> dst, OpSite? site = null)
    {
        if (Planning) return;
        long start = recorder is null ? 0 : OpRecorder.Now();
        fixed (float* ps = src) fixed (float* pd = dst)
        {
            _channelsLast.Work = new ChannelsLastWork(kernels, ps, src.Length, channels, srcH, srcW, top, left, size, pd, dst.Length);
            team.Run(_channelsLast);
        }
        recorder?.Stop(site, start, team.Threads, split: true, 0, 2L * sizeof(float) * channels * size * size);
    }

    /// <summary>One image's planes resized, split into bands of output rows.</summary>
    public void Resize(ReadOnlySpan<float> src, int planes, int inH, int inW, Span<float> dst, int outH, int outW, ResizeMode mode, OpSite? site = null)
    {
        int scratchSize = kernels.ResizeWorkspaceSize(inW, outH, outW), mark = workspace.Mark();
        var scratch = workspace.Take(team.Threads * scratchSize);
        if (!Planning)
        {
            long start = recorder is null ? 0 : OpRecorder.Now();
            fixed (float* ps = src) fixed (float* pd = dst) fixed (float* pw = scratch)
            {
                _resize.Work = new ResizeWork(kernels, ps, src.Length, planes, inH, inW, pd, dst.Length, outH, outW, mode, pw, scratchSize);
                team.Run(_resize);
            }
            recorder?.Stop(site, start, team.Threads, split: true, 0, (long)sizeof(float) * planes * (inH * inW + outH * outW));
        }
        workspace.Release(mark);
    }

    public void LayerNorm(ReadOnlySpan<float> x, int rows, int dim, ReadOnlySpan<float> gamma, ReadOnlySpan<float> beta, float eps, Span<float> y,
        OpSite? site = null)
    {
        if (Planning) return;
        long start = recorder is null ? 0 : OpRecorder.Now();
        if (Workers(rows * dim, 4096) == 1)
        {
            kernels.LayerNorm(x, rows, dim, gamma, beta, eps, y);
            recorder?.Stop(site, start, team.Threads, split: false, 0, 2L * sizeof(float) * rows * dim);
            return;
        }
        fixed (float* px = x) fixed (float* pg = gamma) fixed (float* pb = beta) fixed (float* py = y)
        {
            _layerNorm.Work = new LayerNormWork(kernels, px, rows, dim, pg, pb, eps, py);
            team.Run(_layerNorm);
        }
        recorder?.Stop(site, start, team.Threads, split: true, 0, 2L * sizeof(float) * rows * dim);
    }

    public void Gelu(ReadOnlySpan<float> x, Span<float> y, OpSite? site = null)
    {
        if (Planning) return;
        long start = recorder is null ? 0 : OpRecorder.Now();
        if (Workers(x.Length, 4096) == 1)
        {
            kernels.Gelu(x, y);
            recorder?.Stop(site, start, team.Threads, split: false, 0, 2L * sizeof(float) * x.Length);
            return;
        }
        fixed (float* px = x) fixed (float* py = y)
        {
            _gelu.Work = new GeluWork(kernels, px, py, x.Length);
            team.Run(_gelu);
        }
        recorder?.Stop(site, start, team.Threads, split: true, 0, 2L * sizeof(float) * x.Length);
    }

    /// <summary>
    /// Multi-head attention for a batch: image b's q, k, v and output start at b times their batch strides;
    /// within an image the layout is that of <c>KernelSet.Attention</c>. Work items are (image, head) pairs, each cut
    /// into chunks of query rows when the pairs alone would leave workers idle (<see cref="QueryChunks"/>).
    /// </summary>
    public void Attention(ReadOnlySpan<float> q, int ldq, int qStride, ReadOnlySpan<float> k, int ldk, ReadOnlySpan<float> v, int ldv, int kvStride,
        int batch, int tq, int tk, int heads, int headDim, float scale, Span<float> output, int ldo, int outStride, OpSite? site = null)
    {
        // Per worker: one block of scores, then the head's packed keys and values.
        int scoresSize = KernelSet.AttentionScratchSize(tq, tk), scratchSize = scoresSize + kernels.AttentionWorkspaceSize(tq, tk, headDim), mark = workspace.Mark();
        var scratch = workspace.Take(team.Threads * scratchSize);
        if (!Planning)
        {
            long start = recorder is null ? 0 : OpRecorder.Now();
            fixed (float* pq = q) fixed (float* pk = k) fixed (float* pv = v) fixed (float* po = output) fixed (float* ps = scratch)
            {
                _attention.Work = new AttentionWork(kernels, pq, ldq, qStride, pk, ldk, pv, ldv, kvStride, batch, tq, tk, heads, headDim, scale, po, ldo, outStride,
                    QueryChunks(batch * heads, tq, team.Threads), ps, scoresSize, scratchSize);
                team.Run(_attention);
            }
            recorder?.Stop(site, start, team.Threads, split: true, 2L * batch * heads * tq * tk * headDim);
        }
        workspace.Release(mark);
    }

    /// <summary>
    /// <c>KernelSet.ClsAttention</c> for a batch: q and output [batch, dim], x [batch, tokens, dim]. Work items are (image, head) pairs.
    /// </summary>
    public void ClsAttention(ReadOnlySpan<float> q, ReadOnlySpan<float> x, int batch, int tokens, int dim,
        ReadOnlySpan<float> wk, ReadOnlySpan<float> wv, ReadOnlySpan<float> bv, int heads, float scale, Span<float> output, OpSite? site = null)
    {
        int scratchSize = KernelSet.ClsAttentionScratchSize(tokens, dim), mark = workspace.Mark();
        var scratch = workspace.Take(team.Threads * scratchSize);
        if (!Planning)
        {
            long start = recorder is null ? 0 : OpRecorder.Now();
            fixed (float* pq = q) fixed (float* px = x) fixed (float* pk = wk) fixed (float* pv = wv) fixed (float* pb = bv) fixed (float* po = output) fixed (float* ps = scratch)
            {
                _clsAttention.Work = new ClsAttentionWork(kernels, pq, px, batch, tokens, dim, pk, pv, pb, bv.Length, heads, scale, po, ps, scratchSize);
                team.Run(_clsAttention);
            }
            // As ModelCost counts it: wk and wv over every token, then QKᵀ and attn·V of the one query.
            recorder?.Stop(site, start, team.Threads, split: true, 2L * batch * tokens * dim * (dim + 1));
        }
        workspace.Release(mark);
    }

    /// <summary>
    /// Whether a GEMM is split by weight panels rather than by bands of rows: only when there are too few row tiles to
    /// go round (a batch's CLS rows, the heads). Row bands are preferred because consecutive operations then split
    /// alike, and each worker finds the rows it reads in its own cache: measured on crossvit_9_dagger_240, splitting
    /// the small branch's fc2 by panels left it no faster on two threads than on one.
    /// </summary>
    private bool SplitColumns(int rows) => (rows + kernels.RowTile - 1) / kernels.RowTile < team.Threads;

    /// <summary>
    /// Chunks of query rows per (image, head) pair: the fewest that give every worker within 10% of an equal share of
    /// the items, with at least <see cref="MinQueryRows"/> rows each (every chunk packs its head's keys and values
    /// again). One whenever the pairs already divide well: 4 heads on 2 workers stay whole; on 3 they become 12 items
    /// (3 chunks each), where whole heads would give one worker twice the others' work.
    /// </summary>
    internal static int QueryChunks(int pairs, int tq, int workers)
    {
        int most = Math.Max(1, tq / MinQueryRows);
        for (int chunks = 1; chunks < most; chunks++)
        {
            long items = (long)pairs * chunks, busiest = (items + workers - 1) / workers;
            if (busiest * workers <= 1.1 * items) return chunks;
        }
        return most;
    }

    private int Workers(int work, int minimumPerWorker) => Math.Clamp(work / minimumPerWorker, 1, team.Threads);

    /// <summary>Worker w's share [start, end) of count items, split evenly in multiples of granule.</summary>
    private static (int Start, int End) Share(int count, int granule, int worker, int workers)
    {
        int units = (count + granule - 1) / granule;
        int start = (int)((long)units * worker / workers) * granule, end = (int)((long)units * (worker + 1) / workers) * granule;
        return (Math.Min(start, count), Math.Min(end, count));
    }

    /// <summary>One operation's arguments and the share of it a worker computes.</summary>
    private interface IWork
    {
        void Execute(int worker, int workers);
    }

    /// <summary>A reusable job: the session sets <see cref="Work"/> before each run, so running allocates nothing.</summary>
    private sealed class Job<TWork> : ParallelJob
        where TWork : struct, IWork
    {
        public TWork Work;

        /// <summary>In a profiled session, where each worker's time in its share goes.</summary>
        public long[]? Busy;

        public override void Execute(int worker, int workers)
        {
            if (Busy is null)
            {
                Work.Execute(worker, workers);
                return;
            }
            long start = OpRecorder.Now();
            Work.Execute(worker, workers);
            Busy[worker] = OpRecorder.Now() - start;
        }
    }

    private readonly struct LinearWork(KernelSet k, float* x, int rows, PackedMatrix w, float* bias, int biasLength, float* y, Epilogue epilogue, bool splitColumns) : IWork
    {
        public void Execute(int worker, int workers)
        {
            var b = new ReadOnlySpan<float>(bias, biasLength);
            if (splitColumns)
            {
                var (first, last) = Share(w.Rows, w.PanelWidth, worker, workers);
                if (first < last) k.Linear(new ReadOnlySpan<float>(x, rows * w.Cols), rows, w, b, new Span<float>(y, rows * w.Rows), epilogue, first, last - first);
                return;
            }
            var (start, end) = Share(rows, k.RowTile, worker, workers);
            if (start == end) return;
            k.Linear(new ReadOnlySpan<float>(x + (long)start * w.Cols, (end - start) * w.Cols), end - start, w,
                b, new Span<float>(y + (long)start * w.Rows, (end - start) * w.Rows), epilogue);
        }
    }

    private readonly struct ConvWork(KernelSet k, float* x, int xLength, int inH, int inW, PackedMatrix w, int stride, int pad,
        float* bias, int biasLength, float* y, int yLength, Epilogue epilogue, int pixels, float* scratch, int scratchSize) : IWork
    {
        public void Execute(int worker, int workers)
        {
            var (start, end) = Share(pixels, k.RowTile, worker, workers);
            if (start == end) return;
            k.Conv2d(new ReadOnlySpan<float>(x, xLength), inH, inW, w, stride, pad, new ReadOnlySpan<float>(bias, biasLength),
                new Span<float>(y, yLength), epilogue, start, end - start, new Span<float>(scratch + (long)worker * scratchSize, scratchSize));
        }
    }

    private readonly struct LayerNormWork(KernelSet k, float* x, int rows, int dim, float* gamma, float* beta, float eps, float* y) : IWork
    {
        public void Execute(int worker, int workers)
        {
            // Bands of whole row tiles, as the GEMMs split: each worker normalises the rows it has just written.
            var (start, end) = Share(rows, k.RowTile, worker, workers);
            if (start == end) return;
            int n = (end - start) * dim;
            k.LayerNorm(new ReadOnlySpan<float>(x + (long)start * dim, n), end - start, dim,
                new ReadOnlySpan<float>(gamma, dim), new ReadOnlySpan<float>(beta, dim), eps, new Span<float>(y + (long)start * dim, n));
        }
    }

    private readonly struct GeluWork(KernelSet k, float* x, float* y, int length) : IWork
    {
        public void Execute(int worker, int workers)
        {
            var (start, end) = Share(length, Granule, worker, workers);
            if (start < end) k.Gelu(new ReadOnlySpan<float>(x + start, end - start), new Span<float>(y + start, end - start));
        }
    }

    private readonly struct AttentionWork(KernelSet k, float* q, int ldq, int qStride, float* key, int ldk, float* v, int ldv, int kvStride,
        int batch, int tq, int tk, int heads, int headDim, float scale, float* output, int ldo, int outStride, int chunks, float* scratch, int scoresSize, int scratchSize) : IWork
    {
        public void Execute(int worker, int workers)
        {
            // Items are (image, head, chunk of query rows); a query row's result does not depend on its chunk.
            var (start, end) = Share(batch * heads * chunks, 1, worker, workers);
            var scores = new Span<float>(scratch + (long)worker * scratchSize, scoresSize);
            var packed = new Span<float>(scratch + (long)worker * scratchSize + scoresSize, scratchSize - scoresSize);
            int width = heads * headDim;
            for (int item = start; item < end; item++)
            {
                int pair = item / chunks, chunk = item % chunks, b = pair / heads, h = pair % heads;
                var (first, last) = Share(tq, 1, chunk, chunks);
                int rows = last - first;
                k.Attention(
                    new ReadOnlySpan<float>(q + (long)b * qStride + (long)first * ldq, (rows - 1) * ldq + width), ldq,
                    new ReadOnlySpan<float>(key + (long)b * kvStride, (tk - 1) * ldk + width), ldk,
                    new ReadOnlySpan<float>(v + (long)b * kvStride, (tk - 1) * ldv + width), ldv,
                    rows, tk, headDim, scale,
                    new Span<float>(output + (long)b * outStride + (long)first * ldo, (rows - 1) * ldo + width), ldo, h, 1, scores, packed);
            }
        }
    }

    private readonly struct ClsAttentionWork(KernelSet k, float* q, float* x, int batch, int tokens, int dim, float* wk, float* wv, float* bv, int bvLength,
        int heads, float scale, float* output, float* scratch, int scratchSize) : IWork
    {
        public void Execute(int worker, int workers)
        {
            var (start, end) = Share(batch * heads, 1, worker, workers);
            var workerScratch = new Span<float>(scratch + (long)worker * scratchSize, scratchSize);
            var weights = (long)dim * dim;
            for (int item = start; item < end; item++)
            {
                int b = item / heads, h = item % heads;
                k.ClsAttention(new ReadOnlySpan<float>(q + (long)b * dim, dim), new ReadOnlySpan<float>(x + (long)b * tokens * dim, tokens * dim), tokens, dim,
                    new ReadOnlySpan<float>(wk, (int)weights), new ReadOnlySpan<float>(wv, (int)weights), new ReadOnlySpan<float>(bv, bvLength),
                    heads, scale, new Span<float>(output + (long)b * dim, dim), h, 1, workerScratch);
            }
        }
    }

    private readonly struct ResizeWork(KernelSet k, float* src, int srcLength, int planes, int inH, int inW, float* dst, int dstLength,
        int outH, int outW, ResizeMode mode, float* scratch, int scratchSize) : IWork
    {
        public void Execute(int worker, int workers)
        {
            var (start, end) = Share(planes * outH, 1, worker, workers);
            if (start < end)
                k.Resize(new ReadOnlySpan<float>(src, srcLength), planes, inH, inW, new Span<float>(dst, dstLength), outH, outW, mode,
                    new Span<float>(scratch + (long)worker * scratchSize, scratchSize), start, end - start);
        }
    }

    private readonly struct ChannelsLastWork(KernelSet k, float* src, int srcLength, int channels, int srcH, int srcW, int top, int left, int size,
        float* dst, int dstLength) : IWork
    {
        public void Execute(int worker, int workers)
        {
            var (start, end) = Share(size, 1, worker, workers);
            k.ChannelsLast(new ReadOnlySpan<float>(src, srcLength), channels, srcH, srcW, top, left, size, new Span<float>(dst, dstLength), start, end - start);
        }
    }
}

using System.Diagnostics;
using System.Runtime.CompilerServices;
using CrossVit.Runtime.Kernels.Gemm;
using CrossVit.Runtime.Kernels.Simd;
using CrossVit.Runtime.Profiling;

namespace CrossVit.Runtime.Kernels;

/// <summary>
/// Multi-head attention, one head at a time, fused per strip of <c>Mr</c> queries (FlashAttention's idea without its
/// rescaling): the keys of the head, times the scale and log₂e, and its values are packed as GEMM B panels; for each
/// strip the micro-kernel computes a tile of scores Q·Kᵀ at a time and its sink (<see cref="ExponentiatedScores"/>)
/// turns it in registers into 2^(score − reference), storing the strip (Mr × tk floats, in L1) and summing each row;
/// then out = strip · V, each row divided by its sum on its way out of the registers (<see cref="NormalizedRows"/>). A
/// handful of queries (cross-attention's CLS token) takes the GEMV path: dot products against the keys, softmax, then a
/// weighted sum of value rows, with nothing packed.
/// </summary>
/// <remarks>
/// A row's reference is its largest score in the first tile, not over all keys: softmax does not depend on it, and it
/// needs no pass of its own. The sum is then at least 1 (that score's term), and every term keeps float's relative
/// precision however far a later score rises above the reference, until something overflows: a row whose sum or output
/// is not finite (a score about 128 above its reference, in base 2, or large values) is computed again by the GEMV
/// path. Every step of a row depends on that row alone, not on the strip it falls in, so the results do not depend on
/// how workers split the queries.
/// </remarks>
internal static unsafe class Attention<TSimd, TVec>
    where TSimd : ISimd<TVec>, IGemmBlocking
    where TVec : struct
{
    private const float Log2E = 1.44269504088896341f;

    /// <summary>Floats of workspace <see cref="Run"/> needs besides the score scratch.</summary>
    public static long WorkspaceSize(int tq, int tk, int headDim) => tq <= AttentionBlock.GemvMaxRows ? 0 :
        PackB.Size(tk, headDim, GemmDriver<TSimd, TVec>.Nr) + PackB.Size(headDim, tk, GemmDriver<TSimd, TVec>.Nr);

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Run(
        float* q, int ldq, float* k, int ldk, float* v, int ldv, int tq, int tk, int headDim, float scale,
        float* output, int ldo, int headStart, int headCount, float* scores, float* workspace)
    {
        if (tq <= AttentionBlock.GemvMaxRows)
        {
            for (var h = headStart; h < headStart + headCount; h++)
            {
                var column = h * headDim;
                for (var i = 0; i < tq; i++)
                {
                    Gemv(q + ((long)i * ldq) + column, k + column, ldk, v + column, ldv, tk, headDim, scale, output + ((long)i * ldo) + column, scores);
                }
            }

            return;
        }

        var nr = GemmDriver<TSimd, TVec>.Nr;
        var references = stackalloc float[TSimd.Mr];
        var sums = stackalloc float[TSimd.Mr * TSimd.Count];
        var inverses = stackalloc float[TSimd.Mr];
        var check = stackalloc float[TSimd.Count];
        // The last panel's columns past tk (its packed keys are zero) score −∞: outside the references; their terms,
        // 2⁻¹²⁶ (Exp2Operator's floor), vanish in a sum of at least 1, and P·V reads only tk columns.
        var lastPanel = (tk - 1) / nr * nr;
        var edge = stackalloc float[nr];
        for (var j = 0; j < nr; j++)
        {
            edge[j] = lastPanel + j < tk ? 0f : float.NegativeInfinity;
        }

        var packedK = workspace;
        var packedV = packedK + PackB.Size(tk, headDim, nr);
        var ld = AttentionBlock.Stride(tk);
        var strip = new StripState { Ld = ld, References = references, Sums = sums, Inverses = inverses, Check = check };
        for (var h = headStart; h < headStart + headCount; h++)
        {
            var column = h * headDim;
            // Scores come out scaled and in base 2: the sink's exponentials take fewer operations than e^x.
            PackB.FromRows<TSimd, TVec>(k + column, ldk, tk, headDim, nr, packedK, scale * Log2E);
            PackB.FromColumns<TSimd, TVec>(v + column, ldv, headDim, tk, nr, packedV);
            for (var i0 = 0; i0 < tq; i0 += TSimd.Mr)
            {
                var rows = Math.Min(TSimd.Mr, tq - i0);
                var queries = q + ((long)i0 * ldq) + column;
                for (var j0 = 0; j0 < tk; j0 += nr)
                {
                    strip.Tile = scores + j0;
                    strip.First = j0 == 0;
                    strip.Edge = j0 == lastPanel ? edge : null;
                    GemmDriver<TSimd, TVec>.Tile(queries, ldq, packedK + ((long)j0 * headDim), headDim, rows, new ExponentiatedScores(&strip), default(NoStream));
                }

                var inRange = Invert(sums, rows, inverses);
                TSimd.Store(TSimd.Create(0f), check);
                var block = output + ((long)i0 * ldo) + column;
                for (var c0 = 0; c0 < headDim; c0 += nr)
                {
                    GemmDriver<TSimd, TVec>.Tile(scores, ld, packedV + ((long)c0 * tk), tk, rows, new NormalizedRows(block + c0, ldo, Math.Min(nr, headDim - c0), &strip), default(NoStream));
                }

                // y − y is 0 for every finite y and NaN otherwise: one sum for the strip tells whether all are finite.
                if (!inRange || TSimd.Sum(TSimd.Load(check)) != 0f)
                {
                    // Rare: the rows out of range go again by the GEMV path. The strip is spent: its scores are their scratch.
                    for (var i = 0; i < rows; i++)
                    {
                        var row = block + ((long)i * ldo);
                        if (!float.IsFinite(RowSum(sums, i)) || !IsFinite(row, headDim))
                        {
                            Gemv(queries + ((long)i * ldq), k + column, ldk, v + column, ldv, tk, headDim, scale, row, scores);
                        }
                    }
                }
            }
        }
    }

    private static float RowSum(float* sums, int row) => TSimd.Sum(TSimd.Load(sums + (row * TSimd.Count)));

    /// <summary>Each row's 1 / sum into <paramref name="inverses"/>; false when some sum is not finite.</summary>
    private static bool Invert(float* sums, int rows, float* inverses)
    {
        var inRange = true;
        for (var r = 0; r < rows; r++)
        {
            var sum = RowSum(sums, r);
            inRange &= float.IsFinite(sum);
            inverses[r] = 1f / sum;
        }

        return inRange;
    }

    private static bool IsFinite(float* row, int n)
    {
        for (var i = 0; i < n; i++)
        {
            if (!float.IsFinite(row[i]))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>
    /// What the tiles of one strip share: where the current tile's exponentials go (rows <c>Ld</c> apart), each row's
    /// reference and running sum, and whether the tile is the strip's first or its last (<c>Edge</c>, else null); then,
    /// for P·V, each row's inverse sum and the finiteness check of the outputs (a vector of y − y sums).
    /// </summary>
    private struct StripState
    {
        public float* Tile;
        public int Ld;
        public float* References;
        public float* Sums;
        public bool First;
        public float* Edge;
        public float* Inverses;
        public float* Check;
    }

    /// <summary>
    /// The fused path's sink: a tile of base-2 scores becomes 2^(score − reference), stored into the strip and added to
    /// each row's running sum (a vector per row). The first tile of a strip sets each row's reference, its largest score
    /// there; on the last, <c>Edge</c> adds −∞ to the columns past the keys.
    /// </summary>
    /// <remarks>
    /// The sink holds one pointer to the strip's state: with the six values as its own fields, the micro-kernel had too
    /// few general registers left for its eight row pointers and reloaded three of them from the stack at every k step
    /// (JIT listing, AVX-512); the state's loads come once per row, after the K loop.
    /// </remarks>
    private readonly struct ExponentiatedScores(StripState* state) : ITileSink<TVec>
    {
        /// <summary>The strip is a whole number of panels wide (<see cref="AttentionBlock.Stride"/>).</summary>
        public bool Whole => true;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public void Row(int row, TVec v0, TVec v1)
        {
            var edge = state->Edge;
            if (edge != null)
            {
                v0 = TSimd.Add(v0, TSimd.Load(edge));
                v1 = TSimd.Add(v1, TSimd.Load(edge + TSimd.Count));
            }

            var first = state->First;
            var references = state->References;
            if (first)
            {
                references[row] = TSimd.MaxAcross(TSimd.Max(v0, v1));
            }

            var reference = TSimd.Create(references[row]);
            var p0 = Exp2Operator.Invoke<TSimd, TVec>(TSimd.Subtract(v0, reference));
            var p1 = Exp2Operator.Invoke<TSimd, TVec>(TSimd.Subtract(v1, reference));
            var target = state->Tile + ((long)row * state->Ld);
            TSimd.Store(p0, target);
            TSimd.Store(p1, target + TSimd.Count);
            var sum = state->Sums + (row * TSimd.Count);
            TSimd.Store(first ? TSimd.Add(p0, p1) : TSimd.Add(TSimd.Load(sum), TSimd.Add(p0, p1)), sum);
        }

        public void Ragged(float* tile, int rows) => throw new UnreachableException();
    }

    /// <summary>
    /// P·V's sink: each row of the tile times its inverse sum, stored into the first <paramref name="width"/> columns at
    /// <paramref name="output"/> (rows <paramref name="ldo"/> apart), with y − y added into the strip's check (a ragged row
    /// that is not all finite sets it to NaN).
    /// </summary>
    private readonly struct NormalizedRows(float* output, int ldo, int width, StripState* state) : ITileSink<TVec>
    {
        public bool Whole => width == 2 * TSimd.Count;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public void Row(int row, TVec v0, TVec v1)
        {
            var factor = TSimd.Create(state->Inverses[row]);
            var y0 = TSimd.Multiply(v0, factor);
            var y1 = TSimd.Multiply(v1, factor);
            var target = output + ((long)row * ldo);
            TSimd.Store(y0, target);
            TSimd.Store(y1, target + TSimd.Count);
            // If only y0 + y1 overflows, the strip's rows are looked at and none goes again: a row is redone only when
            // its own outputs are not finite.
            var y = TSimd.Add(y0, y1);
            TSimd.Store(TSimd.Add(TSimd.Load(state->Check), TSimd.Subtract(y, y)), state->Check);
        }

        /// <summary>The last, narrower part of a head whose width is not a whole number of panels.</summary>
        public void Ragged(float* tile, int rows)
        {
            var nr = 2 * TSimd.Count;
            for (var r = 0; r < rows; r++)
            {
                var target = output + ((long)r * ldo);
                Elementwise.Run<Elementwise.Scaled, TSimd, TVec>(new Elementwise.Scaled(tile + (r * nr), state->Inverses[r]), target, width);
                if (!IsFinite(target, width))
                {
                    state->Check[0] = float.NaN;
                }
            }
        }
    }

    /// <summary>One query row: scores[j] = q·k_j, softmax(scale · scores), out = Σ_j p_j v_j.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Gemv(float* q, float* k, int ldk, float* v, int ldv, int tk, int headDim, float scale, float* output, float* scores)
    {
        for (var j = 0; j < tk; j++)
        {
            scores[j] = DotProducts.Dot<TSimd, TVec>(q, k + ((long)j * ldk), headDim) * scale;
        }

        Softmax<TSimd, TVec>.Run(scores, tk);
        DotProducts.WeightedRowSum<TSimd, TVec>(scores, v, ldv, tk, headDim, output);
    }
}

/// <summary>Attention's checked entries.</summary>
public sealed unsafe partial class KernelSet
{
    /// <summary>
    /// Multi-head attention with heads side by side in columns: head h uses columns [h·headDim, (h+1)·headDim) of
    /// q, k, v and output; out[i] = softmax_j(q[i]·k[j] · scale) · v. Only heads [headStart, headStart + headCount)
    /// are computed, so threads can split heads.
    /// </summary>
    /// <param name="q">Queries, tq rows of stride ldq.</param>
    /// <param name="ldq">Row stride of q.</param>
    /// <param name="k">Keys, tk rows of stride ldk.</param>
    /// <param name="ldk">Row stride of k.</param>
    /// <param name="v">Values, tk rows of stride ldv.</param>
    /// <param name="ldv">Row stride of v.</param>
    /// <param name="tq">Query count.</param>
    /// <param name="tk">Key/value count (≥ 1).</param>
    /// <param name="headDim">Columns per head.</param>
    /// <param name="scale">Score scale, usually headDim^-½.</param>
    /// <param name="output">Output, tq rows of stride ldo; must not overlap the inputs' columns of the computed heads.</param>
    /// <param name="ldo">Row stride of output.</param>
    /// <param name="headStart">First head to compute.</param>
    /// <param name="headCount">Number of heads to compute.</param>
    /// <param name="scratch">At least <see cref="AttentionScratchSize"/>(tq, tk) floats.</param>
    public void Attention(
        ReadOnlySpan<float> q, int ldq, ReadOnlySpan<float> k, int ldk, ReadOnlySpan<float> v, int ldv, int tq, int tk, int headDim, float scale,
        Span<float> output, int ldo, int headStart, int headCount, Span<float> scratch)
    {
        // Checked before the workspace is sized from them.
        if (!CheckAttention(q.Length, ldq, k.Length, ldk, v.Length, ldv, tq, tk, headDim, output.Length, ldo, headStart, headCount))
        {
            return;
        }

        var size = AttentionWorkspaceSize(tq, tk, headDim);
        RunAttention(q, ldq, k, ldk, v, ldv, tq, tk, headDim, scale, output, ldo, headStart, headCount, scratch, new Span<float>(ThreadScratch.Get(size), size));
    }

    /// <summary>Floats of workspace the internal <c>Attention</c> overload needs besides the score scratch (packed keys and values of one head).</summary>
    internal int AttentionWorkspaceSize(int tq, int tk, int headDim) => checked((int)_impl.AttentionWorkspaceSize(tq, tk, headDim));

    /// <summary>Attention with caller-owned workspace (an engine arena) of <see cref="AttentionWorkspaceSize(int, int, int)"/> floats.</summary>
    internal void Attention(
        ReadOnlySpan<float> q, int ldq, ReadOnlySpan<float> k, int ldk, ReadOnlySpan<float> v, int ldv, int tq, int tk, int headDim, float scale,
        Span<float> output, int ldo, int headStart, int headCount, Span<float> scratch, Span<float> workspace)
    {
        if (CheckAttention(q.Length, ldq, k.Length, ldk, v.Length, ldv, tq, tk, headDim, output.Length, ldo, headStart, headCount))
        {
            RunAttention(q, ldq, k, ldk, v, ldv, tq, tk, headDim, scale, output, ldo, headStart, headCount, scratch, workspace);
        }
    }

    /// <summary>Attention of arguments <see cref="CheckAttention"/> has passed, with something to compute, once its scratch and workspace are big enough.</summary>
    private void RunAttention(
        ReadOnlySpan<float> q, int ldq, ReadOnlySpan<float> k, int ldk, ReadOnlySpan<float> v, int ldv, int tq, int tk, int headDim, float scale,
        Span<float> output, int ldo, int headStart, int headCount, Span<float> scratch, Span<float> workspace)
    {
        Require(scratch.Length >= AttentionScratchSize(tq, tk), $"scratch needs {AttentionScratchSize(tq, tk)} floats.");
        Require(workspace.Length >= AttentionWorkspaceSize(tq, tk, headDim), $"workspace needs {AttentionWorkspaceSize(tq, tk, headDim)} floats.");
        fixed (float* pq = q)
        fixed (float* pk = k)
        fixed (float* pv = v)
        fixed (float* po = output)
        fixed (float* ps = scratch)
        fixed (float* pw = workspace)
        {
            _impl.Attention(pq, ldq, pk, ldk, pv, ldv, tq, tk, headDim, scale, po, ldo, headStart, headCount, ps, pw);
        }
    }

    /// <summary>
    /// Throws unless q, k, v and output (of the lengths given) hold heads [headStart, headStart + headCount) of tq
    /// queries over tk keys; false when there is nothing to compute.
    /// </summary>
    internal static bool CheckAttention(
        long qLength, int ldq, long kLength, int ldk, long vLength, int ldv, int tq, int tk, int headDim, long outputLength, int ldo, int headStart, int headCount)
    {
        Require(tq >= 0 && tk > 0 && headDim > 0 && headStart >= 0 && headCount >= 0,
            $"Attention needs tq ≥ 0, tk > 0, headDim > 0, headStart ≥ 0, headCount ≥ 0; got tq {tq}, tk {tk}, headDim {headDim}, headStart {headStart}, headCount {headCount}.");
        if (tq == 0 || headCount == 0)
        {
            return false;
        }

        var width = (headStart + headCount) * headDim;
        Require(ldq >= width && ldk >= width && ldv >= width && ldo >= width, $"Row strides must cover {width} columns.");
        Require(qLength >= ((long)(tq - 1) * ldq) + width, "q is too short.");
        Require(kLength >= ((long)(tk - 1) * ldk) + width, "k is too short.");
        Require(vLength >= ((long)(tk - 1) * ldv) + width, "v is too short.");
        Require(outputLength >= ((long)(tq - 1) * ldo) + width, "output is too short.");
        return true;
    }

    /// <summary>Floats of scratch <c>Attention</c> needs: one strip of scores.</summary>
    public static int AttentionScratchSize(int tq, int tk) => AttentionBlock.ScratchSize(tq, tk);
}

internal abstract unsafe partial class KernelImpl
{
    /// <summary>Floats of workspace <see cref="Attention"/> needs besides the score scratch.</summary>
    public abstract long AttentionWorkspaceSize(int tq, int tk, int headDim);

    public abstract void Attention(
        float* q, int ldq, float* k, int ldk, float* v, int ldv, int tq, int tk, int headDim, float scale,
        float* output, int ldo, int headStart, int headCount, float* scores, float* workspace);
}

internal sealed unsafe partial class KernelImpl<TSimd, TVec>
{
    public override long AttentionWorkspaceSize(int tq, int tk, int headDim) => Attention<TSimd, TVec>.WorkspaceSize(tq, tk, headDim);

    public override void Attention(
        float* q, int ldq, float* k, int ldk, float* v, int ldv, int tq, int tk, int headDim, float scale,
        float* output, int ldo, int headStart, int headCount, float* scores, float* workspace) =>
        Attention<TSimd, TVec>.Run(q, ldq, k, ldk, v, ldv, tq, tk, headDim, scale, output, ldo, headStart, headCount, scores, workspace);
}

internal sealed unsafe partial class ParallelKernels
{
    /// <summary>Fewest query rows in an attention chunk.</summary>
    private const int MinQueryRows = 16;

    private readonly Job<AttentionWork> _attention = new();

    /// <summary>
    /// Multi-head attention for a batch: image b's q, k, v and output start at b times their batch strides;
    /// within an image the layout is that of <c>KernelSet.Attention</c>. Work items are (image, head) pairs, each cut
    /// into chunks of query rows when the pairs alone would leave workers idle (<see cref="QueryChunks"/>).
    /// </summary>
    public void Attention(ReadOnlySpan<float> q, int ldq, int qStride, ReadOnlySpan<float> k, int ldk, ReadOnlySpan<float> v, int ldv, int kvStride,
        int batch, int tq, int tk, int heads, int headDim, float scale, Span<float> output, int ldo, int outStride, OpSite? site = null)
    {
        // Per worker: one strip of scores, then the head's packed keys and values.
        int scoresSize = KernelSet.AttentionScratchSize(tq, tk), scratchSize = scoresSize + _kernels.AttentionWorkspaceSize(tq, tk, headDim), mark = _workspace.Mark();
        var scratch = _workspace.Take(_team.Threads * scratchSize);
        if (!Planning)
        {
            long start = _recorder is null ? 0 : OpRecorder.Now();
            // The last image's views are the shortest: checking them checks every image's.
            long last = Math.Max(0, batch - 1);
            if (batch > 0 && KernelSet.CheckAttention(q.Length - (last * qStride), ldq, k.Length - (last * kvStride), ldk, v.Length - (last * kvStride), ldv,
                tq, tk, headDim, output.Length - (last * outStride), ldo, 0, heads))
            {
                fixed (float* pq = q) fixed (float* pk = k) fixed (float* pv = v) fixed (float* po = output) fixed (float* ps = scratch)
                {
                    Run(_attention, new AttentionWork(_impl, pq, ldq, qStride, pk, ldk, pv, ldv, kvStride, tq, tk, heads, headDim, scale, po, ldo, outStride,
                        batch * heads, QueryChunks(batch * heads, tq, _team.Threads), ps, scoresSize, scratchSize));
                }
            }
            _recorder?.Stop(site, start, _team.Threads, split: true, 2L * batch * heads * tq * tk * headDim);
        }
        _workspace.Release(mark);
    }

    /// <summary>
    /// Chunks of query rows per (image, head) pair: the fewest that give every worker within 10% of an equal share of
    /// the items, with at least <see cref="MinQueryRows"/> rows each (a head split between workers has its keys and
    /// values packed by each of them). One whenever the pairs already divide well: 4 heads on 2 workers stay whole; on
    /// 3 they become 12 items (3 chunks each), where whole heads would give one worker twice the others' work.
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

    private readonly struct AttentionWork(KernelImpl impl, float* q, int ldq, int qStride, float* key, int ldk, float* v, int ldv, int kvStride,
        int tq, int tk, int heads, int headDim, float scale, float* output, int ldo, int outStride, int pairs, int chunks, float* scratch, int scoresSize, int scratchSize) : IWork
    {
        public void Execute(int worker, int workers)
        {
            // Items are (image, head, chunk of query rows); a query row's result does not depend on its chunk. A worker's
            // consecutive chunks of one pair go as one call, so it packs that head's keys and values once.
            var (start, end) = Share(pairs * chunks, 1, worker, workers);
            float* scores = scratch + (long)worker * scratchSize, packed = scores + scoresSize;
            for (int item = start; item < end;)
            {
                int pair = item / chunks, b = pair / heads, h = pair % heads, next = Math.Min(end, (pair + 1) * chunks);
                int first = Share(tq, 1, item % chunks, chunks).Start, last = Share(tq, 1, (next - 1) % chunks, chunks).End;
                item = next;
                if (first == last) continue;
                impl.Attention(q + (long)b * qStride + (long)first * ldq, ldq, key + (long)b * kvStride, ldk, v + (long)b * kvStride, ldv,
                    last - first, tk, headDim, scale, output + (long)b * outStride + (long)first * ldo, ldo, h, 1, scores, packed);
            }
        }
    }
}

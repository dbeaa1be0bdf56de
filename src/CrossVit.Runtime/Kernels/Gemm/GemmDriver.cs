using System.Runtime.CompilerServices;
using CrossVit.Runtime.Kernels.Simd;

namespace CrossVit.Runtime.Kernels.Gemm;

/// <summary>
/// Goto/BLIS loops around <see cref="MicroKernel{TSimd, TVec}"/>: K in slices of Kc, M in blocks of Mc (A made row-major
/// per block, in place when it already is), N in micro-panels of 2 vectors, M in micro-panels of Mr. B is packed once,
/// ahead of time (<see cref="PackB"/>).
/// </summary>
internal static unsafe class GemmDriver<TSimd, TVec>
    where TSimd : ISimd<TVec>, IGemmBlocking
    where TVec : struct
{
    /// <summary>Columns per B panel.</summary>
    public static int Nr => 2 * TSimd.Count;

    /// <summary>Floats of workspace <see cref="Run"/> needs: one materialised A block.</summary>
    public static int WorkspaceSize => BlockRows * TSimd.Kc;

    /// <summary>Rows of an M block: Mc rounded up to whole tiles.</summary>
    public static int BlockRows => (TSimd.Mc + TSimd.Mr - 1) / TSimd.Mr * TSimd.Mr;

    /// <summary>
    /// Rows of the M blocks of a GEMM of <paramref name="n"/> columns from <paramref name="a"/>: <see cref="BlockRows"/>,
    /// but a block copied for at most two panels (the stems' first convolutions, 32 or 64 channels) is read at most
    /// twice, so it is built two tiles at a time and read back from L1 rather than from L2. That took those
    /// convolutions 10–17% faster (performance-history.md, "This round (2026-12-06, night)").
    /// </summary>
    private static int BlockRowsFor<TA>(TA a, int n)
        where TA : struct, IASource =>
        a.CopiesBlocks && n <= 2 * Nr ? 2 * TSimd.Mr : BlockRows;

    /// <summary>C[m, n] (row stride ldc) = act(A[m, k] · B + bias), or C += A · B + bias when <paramref name="accumulate"/>; k ≥ 1.</summary>
    /// <remarks><c>packedB</c>: B packed by <see cref="PackB"/> with panel width <see cref="Nr"/>. <c>bias</c>: n floats, or null. <c>workspace</c>: <see cref="WorkspaceSize"/> floats, or null for a source used in place (<see cref="RowMajorA"/>).</remarks>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Run<TA>(TA a, int m, int n, int k, float* packedB, float* bias, float* c, int ldc, bool accumulate, Activation activation, float* workspace)
        where TA : struct, IASource
    {
        // Equal K slices of at most Kc (384 → 2 × 192, not 256 + 128): no short, overhead-heavy tail slice.
        var slices = (k + TSimd.Kc - 1) / TSimd.Kc;
        var sliceK = (k + slices - 1) / slices;
        var blockRows = BlockRowsFor(a, n);
        for (var k0 = 0; k0 < k; k0 += sliceK)
        {
            var kc = Math.Min(sliceK, k - k0);
            var first = k0 == 0;
            var last = k0 + kc == k;
            // Bias and the caller's accumulate belong to the first K slice; later slices add onto C; the activation waits for the last.
            var sliceAccumulate = accumulate || !first;
            var sliceActivation = last ? activation : Activation.None;
            for (var m0 = 0; m0 < m; m0 += blockRows)
            {
                var mc = Math.Min(blockRows, m - m0);
                var block = a.Block(m0, mc, k0, kc, workspace, out var lda);
                var tiles = (mc + TSimd.Mr - 1) / TSimd.Mr;
                // The first M block meets each weight panel cold (a model's weights do not stay in cache between passes):
                // while it computes a panel, it fetches the next one's K slice (kc · Nr floats) into L2. Where the ISA
                // streams weights and the block has tiles enough, a line stream rides along with the k steps of every
                // gap-th tile. Issued all at once before each tile instead, the fetches queued behind each other: 3% of
                // a one-thread AVX-512 pass of crossvit_tiny_240 stood on them (perf). Otherwise they still go that way.
                // Each tile also fetches its lines of C into L1 first (Prefetch.OutputTile). A block of one or two tiles
                // (a CLS row, the heads) fetches neither: it computes too briefly for them to arrive first, and the
                // hardware prefetcher alone streamed such weights 20–33% faster (performance-history.md, "This round
                // (2026-12-06, night)").
                var fetches = tiles > 2;
                var lines = Prefetch.LinesOf((long)kc * Nr);
                var linesPerStream = Math.Max(1, LineStream.LinesOf(kc));
                var streams = (lines + linesPerStream - 1) / linesPerStream;
                var gap = TSimd.StreamsWeights && streams <= tiles ? (int)(tiles / streams) : 0;
                var linesPerTile = (lines + tiles - 1) / tiles;
                for (var n0 = 0; n0 < n; n0 += Nr)
                {
                    var nr = Math.Min(Nr, n - n0);
                    var pb = packedB + ((long)n0 * k) + ((long)k0 * Nr);
                    var sliceBias = first && bias != null ? bias + n0 : null;
                    var next = fetches && m0 == 0 && n0 + Nr < n ? pb + ((long)Nr * k) : null;
                    // The next tile to carry a stream, and the first line it fetches.
                    var streamTile = next != null && gap > 0 ? 0 : -1;
                    var streamLine = 0L;
                    for (int i = 0, tile = 0; i < mc; i += TSimd.Mr, tile++)
                    {
                        var tileC = c + ((long)(m0 + i) * ldc) + n0;
                        var sink = new CTileSink<TSimd, TVec>(tileC, ldc, nr, sliceBias, sliceAccumulate);
                        var rows = Math.Min(TSimd.Mr, mc - i);
                        if (fetches)
                        {
                            Prefetch.OutputTile(tileC, ldc, rows, nr);
                        }

                        if (tile == streamTile && streamLine < lines)
                        {
                            Tile(block + (i * lda), lda, pb, kc, rows, sink, new LineStream(next + (streamLine * Prefetch.LineFloats)));
                            streamTile += gap;
                            streamLine += linesPerStream;
                            continue;
                        }

                        if (next != null && gap == 0)
                        {
                            Prefetch.Share(next, lines, linesPerTile, tile);
                        }

                        Tile(block + (i * lda), lda, pb, kc, rows, sink, default(NoStream));
                    }
                }

                StoreEpilogue<TSimd, TVec>.Activate(c + ((long)m0 * ldc), ldc, mc, n, sliceActivation);
            }
        }
    }

    /// <summary>
    /// One micro-kernel call for mr ≤ Mr rows into <paramref name="sink"/>, with <paramref name="stream"/> fetching along:
    /// the smallest tile height that covers them, so a short last tile (197 tokens end in 5 rows, 401 in 1) computes few
    /// rows it then drops.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Tile<TSink, TStream>(float* a, long lda, float* pb, int kc, int mr, TSink sink, TStream stream)
        where TSink : struct, ITileSink<TVec>
        where TStream : struct, IPrefetchStream
    {
        // NEON has its own micro-kernel (multiply-add by element); the test is a JIT-time constant.
        if (typeof(TSimd) == typeof(SimdNeon))
        {
            NeonMicroKernel.Run<TVec, TSink>(a, lda, pb, kc, mr, sink);
        }
        else if (mr == TSimd.Mr)
        {
            MicroKernel<TSimd, TVec>.Run<WholeTile, TSink, TStream>(a, lda, pb, kc, mr, sink, stream);
        }
        else if (mr <= QuarterTile.Of(TSimd.Mr))
        {
            MicroKernel<TSimd, TVec>.Run<QuarterTile, TSink, TStream>(a, lda, pb, kc, mr, sink, stream);
        }
        else if (mr <= HalfTile.Of(TSimd.Mr))
        {
            MicroKernel<TSimd, TVec>.Run<HalfTile, TSink, TStream>(a, lda, pb, kc, mr, sink, stream);
        }
        else if (mr <= ThreeQuarterTile.Of(TSimd.Mr))
        {
            MicroKernel<TSimd, TVec>.Run<ThreeQuarterTile, TSink, TStream>(a, lda, pb, kc, mr, sink, stream);
        }
        else
        {
            MicroKernel<TSimd, TVec>.Run<WholeTile, TSink, TStream>(a, lda, pb, kc, mr, sink, stream);
        }
    }
}

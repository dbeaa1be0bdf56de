using System.Runtime.CompilerServices;
using CrossVit.Runtime.Kernels.Simd;

namespace CrossVit.Runtime.Kernels.Gemm;

/// <summary>
/// The register-blocked micro-kernel: an <c>Mr</c> × (2 vectors) tile accumulated over one K slice, then handed to a
/// sink (<see cref="ITileSink{TVec}"/>: the GEMM's C, or attention's softmax). A is read in place, <c>Mr</c> row-major
/// rows broadcast one element at a time (so a row-major activation needs no packing); B comes from a packed panel.
/// Each instance keeps accumulators for the rows of its <c>THeight</c> (a whole tile, or a quarter, half or three
/// quarters of one for a short last tile, at that share of the cost); rows past them are compile-time dead code. Up to
/// 8 rows fit (the most any ISA's <c>Mr</c> asks for: AVX-512's).
/// </summary>
[SkipLocalsInit]
internal static unsafe class MicroKernel<TSimd, TVec>
    where TSimd : ISimd<TVec>, IGemmBlocking
    where TVec : struct
{
    /// <summary>
    /// A[0..mr, 0..kc] · B-panel into <paramref name="sink"/>; mr ≤ the rows of <typeparamref name="THeight"/>. Each k
    /// step also steps <paramref name="stream"/>, which fetches what a later call will need.
    /// </summary>
    /// <remarks>
    /// <c>a</c>: first row, rows <c>lda</c> floats apart; rows past <c>mr</c> re-read the last real row (results dropped).
    /// <c>pb</c>: B micro-panel, kc × 2 vectors, k-major.
    /// </remarks>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Run<THeight, TSink, TStream>(float* a, long lda, float* pb, int kc, int mr, TSink sink, TStream stream)
        where THeight : ITileHeight
        where TSink : struct, ITileSink<TVec>
        where TStream : struct, IPrefetchStream
    {
        var zero = TSimd.Create(0f);
        var a0 = a;
        var a1 = a + (Math.Min(1, mr - 1) * lda);
        var a2 = a + (Math.Min(2, mr - 1) * lda);
        var a3 = a + (Math.Min(3, mr - 1) * lda);
        var a4 = a + (Math.Min(4, mr - 1) * lda);
        var a5 = a + (Math.Min(5, mr - 1) * lda);
        var a6 = a + (Math.Min(6, mr - 1) * lda);
        var a7 = a + (Math.Min(7, mr - 1) * lda);
        TVec c00 = zero, c01 = zero;
        TVec c10 = zero, c11 = zero;
        TVec c20 = zero, c21 = zero;
        TVec c30 = zero, c31 = zero;
        TVec c40 = zero, c41 = zero;
        TVec c50 = zero, c51 = zero;
        TVec c60 = zero, c61 = zero;
        TVec c70 = zero, c71 = zero;
        for (var p = 0; p < kc; p++)
        {
            stream.Step();
            var b0 = TSimd.Load(pb);
            var b1 = TSimd.Load(pb + TSimd.Count);
            var x0 = TSimd.Create(a0[p]);
            c00 = TSimd.MultiplyAdd(x0, b0, c00);
            c01 = TSimd.MultiplyAdd(x0, b1, c01);

            if (Rows<THeight>() > 1)
            {
                var x1 = TSimd.Create(a1[p]);
                c10 = TSimd.MultiplyAdd(x1, b0, c10);
                c11 = TSimd.MultiplyAdd(x1, b1, c11);
            }

            if (Rows<THeight>() > 2)
            {
                var x2 = TSimd.Create(a2[p]);
                c20 = TSimd.MultiplyAdd(x2, b0, c20);
                c21 = TSimd.MultiplyAdd(x2, b1, c21);
            }

            if (Rows<THeight>() > 3)
            {
                var x3 = TSimd.Create(a3[p]);
                c30 = TSimd.MultiplyAdd(x3, b0, c30);
                c31 = TSimd.MultiplyAdd(x3, b1, c31);
            }

            if (Rows<THeight>() > 4)
            {
                var x4 = TSimd.Create(a4[p]);
                c40 = TSimd.MultiplyAdd(x4, b0, c40);
                c41 = TSimd.MultiplyAdd(x4, b1, c41);
            }

            if (Rows<THeight>() > 5)
            {
                var x5 = TSimd.Create(a5[p]);
                c50 = TSimd.MultiplyAdd(x5, b0, c50);
                c51 = TSimd.MultiplyAdd(x5, b1, c51);
            }

            if (Rows<THeight>() > 6)
            {
                var x6 = TSimd.Create(a6[p]);
                c60 = TSimd.MultiplyAdd(x6, b0, c60);
                c61 = TSimd.MultiplyAdd(x6, b1, c61);
            }

            if (Rows<THeight>() > 7)
            {
                var x7 = TSimd.Create(a7[p]);
                c70 = TSimd.MultiplyAdd(x7, b0, c70);
                c71 = TSimd.MultiplyAdd(x7, b1, c71);
            }

            pb += 2 * TSimd.Count;
        }

        if (sink.Whole)
        {
            sink.Row(0, c00, c01);

            if (Rows<THeight>() > 1 && mr > 1)
            {
                sink.Row(1, c10, c11);
            }

            if (Rows<THeight>() > 2 && mr > 2)
            {
                sink.Row(2, c20, c21);
            }

            if (Rows<THeight>() > 3 && mr > 3)
            {
                sink.Row(3, c30, c31);
            }

            if (Rows<THeight>() > 4 && mr > 4)
            {
                sink.Row(4, c40, c41);
            }

            if (Rows<THeight>() > 5 && mr > 5)
            {
                sink.Row(5, c50, c51);
            }

            if (Rows<THeight>() > 6 && mr > 6)
            {
                sink.Row(6, c60, c61);
            }

            if (Rows<THeight>() > 7 && mr > 7)
            {
                sink.Row(7, c70, c71);
            }

            return;
        }

        // A ragged right edge: the accumulators go to a stack tile, stored out of line: calling that while they are live
        // would make the JIT spill them inside the loop (every vector register is caller-saved).
        var nr2 = 2 * TSimd.Count;
        var tile = stackalloc float[Rows<THeight>() * nr2];
        TSimd.Store(c00, tile + (0 * nr2));
        TSimd.Store(c01, tile + (0 * nr2) + TSimd.Count);

        if (Rows<THeight>() > 1)
        {
            TSimd.Store(c10, tile + (1 * nr2));
            TSimd.Store(c11, tile + (1 * nr2) + TSimd.Count);
        }

        if (Rows<THeight>() > 2)
        {
            TSimd.Store(c20, tile + (2 * nr2));
            TSimd.Store(c21, tile + (2 * nr2) + TSimd.Count);
        }

        if (Rows<THeight>() > 3)
        {
            TSimd.Store(c30, tile + (3 * nr2));
            TSimd.Store(c31, tile + (3 * nr2) + TSimd.Count);
        }

        if (Rows<THeight>() > 4)
        {
            TSimd.Store(c40, tile + (4 * nr2));
            TSimd.Store(c41, tile + (4 * nr2) + TSimd.Count);
        }

        if (Rows<THeight>() > 5)
        {
            TSimd.Store(c50, tile + (5 * nr2));
            TSimd.Store(c51, tile + (5 * nr2) + TSimd.Count);
        }

        if (Rows<THeight>() > 6)
        {
            TSimd.Store(c60, tile + (6 * nr2));
            TSimd.Store(c61, tile + (6 * nr2) + TSimd.Count);
        }

        if (Rows<THeight>() > 7)
        {
            TSimd.Store(c70, tile + (7 * nr2));
            TSimd.Store(c71, tile + (7 * nr2) + TSimd.Count);
        }

        sink.Ragged(tile, mr);
    }

    /// <summary>Accumulator rows of a <typeparamref name="THeight"/> instance: a JIT-time constant.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int Rows<THeight>()
        where THeight : ITileHeight => THeight.Of(TSimd.Mr);
}

/// <summary>How many of an ISA's <c>Mr</c> tile rows a <see cref="MicroKernel{TSimd, TVec}"/> instance computes.</summary>
internal interface ITileHeight
{
    static abstract int Of(int mr);
}

/// <summary>The whole tile.</summary>
internal readonly struct WholeTile : ITileHeight
{
    public static int Of(int mr) => mr;
}

/// <summary>A quarter of a tile (rounded up): a last tile of at most that many rows.</summary>
internal readonly struct QuarterTile : ITileHeight
{
    public static int Of(int mr) => (mr + 3) / 4;
}

/// <summary>Half a tile (rounded up): a last tile of at most that many rows, or a thread's band ending half-way.</summary>
internal readonly struct HalfTile : ITileHeight
{
    public static int Of(int mr) => (mr + 1) / 2;
}

/// <summary>Three quarters of a tile (rounded up): a last tile of at most that many rows.</summary>
internal readonly struct ThreeQuarterTile : ITileHeight
{
    public static int Of(int mr) => ((3 * mr) + 3) / 4;
}

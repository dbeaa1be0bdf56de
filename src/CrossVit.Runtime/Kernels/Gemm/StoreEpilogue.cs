using System.Runtime.CompilerServices;
using CrossVit.Runtime.Kernels.Simd;

namespace CrossVit.Runtime.Kernels.Gemm;

/// <summary>What the GEMM does to its results on their way to C: + bias and + old C per tile, then the activation per M block.</summary>
internal static unsafe class StoreEpilogue<TSimd, TVec>
    where TSimd : ISimd<TVec>
    where TVec : struct
{
    /// <summary>
    /// C[0..mr, 0..nr] (=|+=) tile (row stride ldt) + bias: a ragged right edge, each row through the element-wise
    /// driver, whose last vector overlaps the one before (computed before the loop, so += reads each old value once).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void StoreTile(float* tile, int ldt, float* c, int ldc, int mr, int nr, float* bias, bool accumulate)
    {
        for (var r = 0; r < mr; r++)
        {
            var row = c + ((long)r * ldc);
            Elementwise.Run<TileRow, TSimd, TVec>(new TileRow(tile + (r * ldt), row, bias, accumulate), row, nr);
        }
    }

    /// <summary>
    /// C[0..rows, 0..n] = activation(C): run over a finished M block, row by row across all its columns. Applied per tile
    /// in the micro-kernel's store instead, GELU made the whole GEMM 197×384×1536 about 5% slower; over each panel's
    /// block of tiles (rows of two vectors, <c>ldc</c> apart, gone from L1 by then), fc1 + GELU ran 2–17% slower on the
    /// 2-vCPU Xeon 207 (performance-history.md, "This round (2026-12-06, late night)").
    /// </summary>
    public static void Activate(float* c, int ldc, int rows, int n, Activation activation)
    {
        switch (activation)
        {
            case Activation.Gelu:
                Map<GeluOperator>(c, ldc, rows, n);
                break;
            case Activation.Relu:
                Map<ReluOperator>(c, ldc, rows, n);
                break;
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Map<TOp>(float* c, int ldc, int rows, int n)
        where TOp : IUnaryOperator
    {
        for (var r = 0; r < rows; r++)
        {
            Elementwise.Map<TOp, TSimd, TVec>(c + ((long)r * ldc), c + ((long)r * ldc), n);
        }
    }

    /// <summary>One row of a stored tile: tile[i] + bias[i], plus c[i] when accumulating.</summary>
    private readonly struct TileRow(float* tile, float* c, float* bias, bool accumulate) : IElementwiseOp
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public TV At<TS, TV>(long i)
            where TS : ISimd<TV>
            where TV : struct
        {
            var value = TS.Load(tile + i);
            if (bias != null)
            {
                value = TS.Add(value, TS.Load(bias + i));
            }

            return accumulate ? TS.Add(TS.Load(c + i), value) : value;
        }
    }
}

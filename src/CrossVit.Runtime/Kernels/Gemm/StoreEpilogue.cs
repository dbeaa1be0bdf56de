using System.Runtime.CompilerServices;
using CrossVit.Runtime.Kernels.Simd;

namespace CrossVit.Runtime.Kernels.Gemm;

/// <summary>What the GEMM does to its results on their way to C: + bias and + old C per tile, then the activation per block.</summary>
internal static unsafe class StoreEpilogue<TSimd, TVec>
    where TSimd : ISimd<TVec>
    where TVec : struct
{
    /// <summary>C[0..mr, 0..nr] (=|+=) tile (row stride ldt) + bias; the ragged right edge lane by lane.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void StoreTile(float* tile, int ldt, float* c, int ldc, int mr, int nr, float* bias, bool accumulate)
    {
        for (var r = 0; r < mr; r++)
        {
            var t = tile + (r * ldt);
            var row = c + ((long)r * ldc);
            var j = 0;
            for (; j <= nr - TSimd.Count; j += TSimd.Count)
            {
                TSimd.Store(Add(TSimd.Load(t + j), row + j, bias == null ? null : bias + j, accumulate), row + j);
            }

            for (; j < nr; j++)
            {
                row[j] = StoreEpilogue<ScalarSimd, float>.Add(t[j], row + j, bias == null ? null : bias + j, accumulate);
            }
        }
    }

    /// <summary>
    /// C[0..rows, 0..n] = activation(C): run over a block of finished tiles while it is still in L1. Applied per tile
    /// in the micro-kernel's store instead, GELU made the whole GEMM 197×384×1536 about 5% slower.
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

    private static TVec Add(TVec value, float* c, float* bias, bool accumulate)
    {
        if (bias != null)
        {
            value = TSimd.Add(value, TSimd.Load(bias));
        }

        return accumulate ? TSimd.Add(TSimd.Load(c), value) : value;
    }
}

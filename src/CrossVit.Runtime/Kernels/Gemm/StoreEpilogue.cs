using System.Runtime.CompilerServices;
using CrossVit.Runtime.Kernels.Simd;

namespace CrossVit.Runtime.Kernels.Gemm;

/// <summary>What the GEMM does to an accumulator vector on its way to C: + bias, + old C, activation.</summary>
internal static unsafe class StoreEpilogue<TSimd, TVec>
    where TSimd : ISimd<TVec>
    where TVec : struct
{
    /// <summary>C[0..mr, 0..nr] (=|+=) tile (row stride ldt) + bias, then the activation; the ragged right edge lane by lane.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void StoreTile(float* tile, int ldt, float* c, int ldc, int mr, int nr, float* bias, bool accumulate, Activation activation)
    {
        for (var r = 0; r < mr; r++)
        {
            var t = tile + (r * ldt);
            var row = c + ((long)r * ldc);
            var j = 0;
            for (; j <= nr - TSimd.Count; j += TSimd.Count)
            {
                TSimd.Store(Apply(TSimd.Load(t + j), row + j, bias == null ? null : bias + j, accumulate, activation), row + j);
            }

            for (; j < nr; j++)
            {
                row[j] = StoreEpilogue<ScalarSimd, float>.Apply(t[j], row + j, bias == null ? null : bias + j, accumulate, activation);
            }
        }
    }

    public static TVec Apply(TVec value, float* c, float* bias, bool accumulate, Activation activation)
    {
        if (bias != null)
        {
            value = TSimd.Add(value, TSimd.Load(bias));
        }

        if (accumulate)
        {
            value = TSimd.Add(TSimd.Load(c), value);
        }

        return activation switch
        {
            Activation.Gelu => GeluOperator.Invoke<TSimd, TVec>(value),
            Activation.Relu => ReluOperator.Invoke<TSimd, TVec>(value),
            _ => value,
        };
    }
}

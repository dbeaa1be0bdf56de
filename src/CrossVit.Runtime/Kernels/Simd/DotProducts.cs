using System.Runtime.CompilerServices;

namespace CrossVit.Runtime.Kernels.Simd;

/// <summary>The two dot-product loops of the single-query paths: a row against a vector, and a weighted sum of rows.</summary>
internal static unsafe class DotProducts
{
    /// <summary>Σᵢ x[i]·y[i]: one vector accumulator, then the tail in scalar.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static float Dot<TSimd, TVec>(float* x, float* y, int n)
        where TSimd : ISimd<TVec>
        where TVec : struct
    {
        var acc = TSimd.Create(0f);
        var i = 0;
        for (; i <= n - TSimd.Count; i += TSimd.Count)
        {
            acc = TSimd.MultiplyAdd(TSimd.Load(x + i), TSimd.Load(y + i), acc);
        }

        var sum = TSimd.Sum(acc);
        for (; i < n; i++)
        {
            sum = MathF.FusedMultiplyAdd(x[i], y[i], sum);
        }

        return sum;
    }

    /// <summary>output[0..n) = Σⱼ weight[j] · rows[j][0..n), rows <paramref name="ld"/> floats apart; the tail lanes in scalar.</summary>
    public static void WeightedRowSum<TSimd, TVec>(float* weight, float* rows, int ld, int count, int n, float* output)
        where TSimd : ISimd<TVec>
        where TVec : struct
    {
        WeightedRowSum<TSimd, TVec>(weight, rows, ld, count, n, output, 0);
        WeightedRowSum<ScalarSimd, float>(weight, rows, ld, count, n, output, n / TSimd.Count * TSimd.Count);
    }

    /// <summary>Columns [start, n) in whole vectors, each accumulated in a register over all rows.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void WeightedRowSum<TS, TV>(float* weight, float* rows, int ld, int count, int n, float* output, int start)
        where TS : ISimd<TV>
        where TV : struct
    {
        for (var d = start; d <= n - TS.Count; d += TS.Count)
        {
            var acc = TS.Create(0f);
            for (var j = 0; j < count; j++)
            {
                acc = TS.MultiplyAdd(TS.Create(weight[j]), TS.Load(rows + ((long)j * ld) + d), acc);
            }

            TS.Store(acc, output + d);
        }
    }
}

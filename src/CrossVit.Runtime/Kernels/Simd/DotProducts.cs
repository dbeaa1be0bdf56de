using System.Runtime.CompilerServices;

namespace CrossVit.Runtime.Kernels.Simd;

/// <summary>The two dot-product loops of the single-query paths: a row against a vector, and a weighted sum of rows.</summary>
internal static unsafe class DotProducts
{
    /// <summary>Σᵢ x[i]·y[i]: four vector accumulators (independent FMA chains), then one, then the tail in scalar.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static float Dot<TSimd, TVec>(float* x, float* y, int n)
        where TSimd : ISimd<TVec>
        where TVec : struct
    {
        var w = TSimd.Count;
        TVec acc0 = TSimd.Create(0f), acc1 = acc0, acc2 = acc0, acc3 = acc0;
        var i = 0;
        for (; i <= n - (4 * w); i += 4 * w)
        {
            acc0 = TSimd.MultiplyAdd(TSimd.Load(x + i), TSimd.Load(y + i), acc0);
            acc1 = TSimd.MultiplyAdd(TSimd.Load(x + i + w), TSimd.Load(y + i + w), acc1);
            acc2 = TSimd.MultiplyAdd(TSimd.Load(x + i + (2 * w)), TSimd.Load(y + i + (2 * w)), acc2);
            acc3 = TSimd.MultiplyAdd(TSimd.Load(x + i + (3 * w)), TSimd.Load(y + i + (3 * w)), acc3);
        }

        for (; i <= n - w; i += w)
        {
            acc0 = TSimd.MultiplyAdd(TSimd.Load(x + i), TSimd.Load(y + i), acc0);
        }

        var sum = TSimd.Sum(TSimd.Add(TSimd.Add(acc0, acc1), TSimd.Add(acc2, acc3)));
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

    /// <summary>Columns [start, n) in whole vectors, each accumulated in a register over all rows, four vectors of columns at a time.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void WeightedRowSum<TS, TV>(float* weight, float* rows, int ld, int count, int n, float* output, int start)
        where TS : ISimd<TV>
        where TV : struct
    {
        var w = TS.Count;
        var d = start;
        for (; d <= n - (4 * w); d += 4 * w)
        {
            TV acc0 = TS.Create(0f), acc1 = acc0, acc2 = acc0, acc3 = acc0;
            for (var j = 0; j < count; j++)
            {
                var weightJ = TS.Create(weight[j]);
                var row = rows + ((long)j * ld) + d;
                acc0 = TS.MultiplyAdd(weightJ, TS.Load(row), acc0);
                acc1 = TS.MultiplyAdd(weightJ, TS.Load(row + w), acc1);
                acc2 = TS.MultiplyAdd(weightJ, TS.Load(row + (2 * w)), acc2);
                acc3 = TS.MultiplyAdd(weightJ, TS.Load(row + (3 * w)), acc3);
            }

            TS.Store(acc0, output + d);
            TS.Store(acc1, output + d + w);
            TS.Store(acc2, output + d + (2 * w));
            TS.Store(acc3, output + d + (3 * w));
        }

        for (; d <= n - w; d += w)
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

using System.Runtime.CompilerServices;

namespace CrossVit.Runtime.Kernels.Simd;

/// <summary>The two dot-product loops of the single-query paths: a row against a vector, and a weighted sum of rows.</summary>
internal static unsafe class DotProducts
{
    /// <summary>Σᵢ x[i]·y[i].</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static float Dot<TSimd, TVec>(float* x, float* y, int n)
        where TSimd : ISimd<TVec>
        where TVec : struct =>
        Reduction.Sum<Products, TSimd, TVec>(new Products(x, y), n);

    /// <summary>
    /// output[0..n) = Σⱼ weight[j] · rows[j][0..n), rows <paramref name="ld"/> floats apart: whole vectors of columns,
    /// four at a time, then one; the remainder as one more vector overlapping the last (a column's sum is the same
    /// whichever step computes it). Fewer columns than one vector go one by one. output must not overlap the inputs.
    /// </summary>
    public static void WeightedRowSum<TSimd, TVec>(float* weight, float* rows, int ld, int count, int n, float* output)
        where TSimd : ISimd<TVec>
        where TVec : struct
    {
        if (n >= TSimd.Count)
        {
            WeightedColumns<TSimd, TVec>(weight, rows, ld, count, n, output);
        }
        else
        {
            WeightedColumns<ScalarSimd, float>(weight, rows, ld, count, n, output);
        }
    }

    /// <summary><see cref="WeightedRowSum"/> for n ≥ one vector of <typeparamref name="TS"/>, each vector of columns accumulated in a register over all rows.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void WeightedColumns<TS, TV>(float* weight, float* rows, int ld, int count, int n, float* output)
        where TS : ISimd<TV>
        where TV : struct
    {
        var w = TS.Count;
        var d = 0;
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

        // The last step starts at n − w, overlapping the one before when n is not a whole number of vectors.
        for (; d < n; d += w)
        {
            var at = Math.Min(d, n - w);
            var acc = TS.Create(0f);
            for (var j = 0; j < count; j++)
            {
                acc = TS.MultiplyAdd(TS.Create(weight[j]), TS.Load(rows + ((long)j * ld) + at), acc);
            }

            TS.Store(acc, output + at);
        }
    }

    /// <summary>x[i]·y[i]: the dot product's terms.</summary>
    private readonly struct Products(float* x, float* y) : IReductionOp
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public TV Accumulate<TS, TV>(TV sum, long i)
            where TS : ISimd<TV>
            where TV : struct => TS.MultiplyAdd(TS.Load(x + i), TS.Load(y + i), sum);
    }
}

using System.Runtime.CompilerServices;

namespace CrossVit.Runtime.Kernels.Simd;

/// <summary>
/// The one loop every sum over a row runs in, as <see cref="Elementwise"/> is for maps: whole vectors into four
/// accumulators (independent add chains), then one, then the remainder as one more vector overlapping the last of them,
/// its lanes already summed cleared; only a length under one vector goes element by element, through the same terms.
/// </summary>
internal static unsafe class Reduction
{
    /// <summary>Σ of op's terms for i &lt; length; 0 for none.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Sum<TOp, TSimd, TVec>(TOp op, long length)
        where TOp : struct, IReductionOp
        where TSimd : ISimd<TVec>
        where TVec : struct =>
        length >= TSimd.Count ? Steps<TOp, TSimd, TVec>(op, length) : Steps<TOp, ScalarSimd, float>(op, length);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static float Steps<TOp, TS, TV>(TOp op, long length)
        where TOp : struct, IReductionOp
        where TS : ISimd<TV>
        where TV : struct
    {
        var w = TS.Count;
        var zero = TS.Create(0f);
        TV sum0 = zero, sum1 = zero, sum2 = zero, sum3 = zero;
        long i = 0;
        for (; i <= length - (4 * w); i += 4 * w)
        {
            sum0 = op.Accumulate<TS, TV>(sum0, i);
            sum1 = op.Accumulate<TS, TV>(sum1, i + w);
            sum2 = op.Accumulate<TS, TV>(sum2, i + (2 * w));
            sum3 = op.Accumulate<TS, TV>(sum3, i + (3 * w));
        }

        for (; i <= length - w; i += w)
        {
            sum0 = op.Accumulate<TS, TV>(sum0, i);
        }

        if (i < length)
        {
            // The last whole vector ends at length; its lanes before i were summed above.
            var last = length - w;
            sum1 = TS.Add(sum1, TS.ClearFirst(op.Accumulate<TS, TV>(zero, last), (int)(i - last)));
        }

        return TS.Sum(TS.Add(TS.Add(sum0, sum1), TS.Add(sum2, sum3)));
    }
}

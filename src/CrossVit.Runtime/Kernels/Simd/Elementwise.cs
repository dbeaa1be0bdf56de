using System.Runtime.CompilerServices;
namespace CrossVit.Runtime.Kernels.Simd;

/// <summary>
/// The one loop every element-wise operator runs in: whole vectors, then one more vector overlapping the last of them
/// for the remainder; only a length under one vector goes element by element, through the same operator.
/// </summary>
internal static unsafe class Elementwise
{
    /// <summary>y[i] = op(x[i]); y may be x itself.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Map<TOp, TSimd, TVec>(float* x, float* y, int length)
        where TOp : IUnaryOperator
        where TSimd : ISimd<TVec>
        where TVec : struct
    {
        if (length < TSimd.Count)
        {
            for (var j = 0; j < length; j++)
            {
                y[j] = TOp.Invoke<ScalarSimd, float>(x[j]);
            }

            return;
        }

        // The last vector is computed before the loop, which may overwrite its inputs when y is x, and stored after it.
        var end = length - TSimd.Count;
        var last = TOp.Invoke<TSimd, TVec>(TSimd.Load(x + end));
        for (var i = 0; i < end; i += TSimd.Count)
        {
            TSimd.Store(TOp.Invoke<TSimd, TVec>(TSimd.Load(x + i)), y + i);
        }

        TSimd.Store(last, y + end);
    }
}

using System.Runtime.CompilerServices;
namespace CrossVit.Runtime.Kernels.Simd;

/// <summary>The one loop every element-wise operator runs in: full vectors, then a scalar tail through the same operator.</summary>
internal static unsafe class Elementwise
{
    /// <summary>y[i] = op(x[i]); y may be x itself.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Map<TOp, TSimd, TVec>(float* x, float* y, int length)
        where TOp : IUnaryOperator
        where TSimd : ISimd<TVec>
        where TVec : struct
    {
        var i = 0;
        for (; i <= length - TSimd.Count; i += TSimd.Count)
        {
            TSimd.Store(TOp.Invoke<TSimd, TVec>(TSimd.Load(x + i)), y + i);
        }

        for (; i < length; i++)
        {
            y[i] = TOp.Invoke<ScalarSimd, float>(x[i]);
        }
    }
}

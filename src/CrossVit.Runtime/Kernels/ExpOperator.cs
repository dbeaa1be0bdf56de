using System.Runtime.CompilerServices;
using CrossVit.Runtime.Kernels.Simd;

namespace CrossVit.Runtime.Kernels;

/// <summary>e^x, Cephes-style: Cody–Waite reduction by ln 2 and a degree-6 polynomial (~1 ulp); inputs clamped to the normal range.</summary>
internal readonly struct ExpOperator : IUnaryOperator
{
    /// <summary>1.5 · 2²³: adding it rounds x·log₂e to the nearest integer n and leaves n in the low mantissa bits.</summary>
    public const float RoundingShift = 12582912f;

    // Inlined so callers keep their vectors in registers (all vector registers are caller-saved).
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TVec Invoke<TSimd, TVec>(TVec x)
        where TSimd : ISimd<TVec>
        where TVec : struct
    {
        x = TSimd.Min(TSimd.Max(x, TSimd.Create(-87.33f)), TSimd.Create(88.37f));
        var shifted = TSimd.MultiplyAdd(x, TSimd.Create(1.44269504088896341f), TSimd.Create(RoundingShift));
        var n = TSimd.Subtract(shifted, TSimd.Create(RoundingShift));
        // ln 2 split in two so r = x - n·ln2 stays exact to float precision.
        var r = TSimd.MultiplyAdd(n, TSimd.Create(-0.693359375f), x);
        r = TSimd.MultiplyAdd(n, TSimd.Create(2.12194440e-4f), r);
        var p = TSimd.Create(1.9875691500e-4f);
        p = TSimd.MultiplyAdd(p, r, TSimd.Create(1.3981999507e-3f));
        p = TSimd.MultiplyAdd(p, r, TSimd.Create(8.3334519073e-3f));
        p = TSimd.MultiplyAdd(p, r, TSimd.Create(4.1665795894e-2f));
        p = TSimd.MultiplyAdd(p, r, TSimd.Create(1.6666665459e-1f));
        p = TSimd.MultiplyAdd(p, r, TSimd.Create(5.0000001201e-1f));
        p = TSimd.MultiplyAdd(p, TSimd.Multiply(r, r), TSimd.Add(r, TSimd.Create(1f)));
        return TSimd.ScaleByPow2(p, shifted);
    }
}

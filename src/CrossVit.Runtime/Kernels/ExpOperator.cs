using System.Runtime.CompilerServices;
using CrossVit.Runtime.Kernels.Simd;

namespace CrossVit.Runtime.Kernels;

/// <summary>
/// e^x for x ≤ 88 (softmax passes x ≤ 0), Cephes-style: Cody–Waite reduction x = n·ln 2 + r, |r| ≤ ½ln 2, then
/// e^r = 1 + r·q(r) with q a degree-5 minimax fit (relative error 2e-9; <c>tools/fit_exp.py</c>), and 2ⁿ put into the
/// exponent. About 0.6 ulp. Inputs below −87.33 are clamped there (e^x is subnormal below; the clamp keeps n ≥ −126);
/// NaN stays NaN.
/// </summary>
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
        // No upper clamp: softmax's x − max is never positive, and every x ≤ 88 keeps n ≤ 127. x goes second: x86's max
        // returns its second operand when either is NaN, so a NaN stays NaN instead of becoming the clamp.
        x = TSimd.Max(TSimd.Create(-87.33f), x);
        var n = TSimd.Subtract(TSimd.MultiplyAdd(x, TSimd.Create(1.44269504088896341f), TSimd.Create(RoundingShift)), TSimd.Create(RoundingShift));
        // ln 2 split in two so r = x - n·ln2 stays exact to float precision.
        var r = TSimd.MultiplyAdd(n, TSimd.Create(-0.693359375f), x);
        r = TSimd.MultiplyAdd(n, TSimd.Create(2.12194440e-4f), r);
        var p = TSimd.Create(1.3843653724e-03f);
        p = TSimd.MultiplyAdd(p, r, TSimd.Create(8.3741554990e-03f));
        p = TSimd.MultiplyAdd(p, r, TSimd.Create(4.1668001562e-02f));
        p = TSimd.MultiplyAdd(p, r, TSimd.Create(1.6666431725e-01f));
        p = TSimd.MultiplyAdd(p, r, TSimd.Create(4.9999994040e-01f));
        p = TSimd.MultiplyAdd(p, r, TSimd.Create(1f));
        p = TSimd.MultiplyAdd(p, r, TSimd.Create(1f));
        return TSimd.ScaleByPow2(p, n);
    }
}

using System.Runtime.CompilerServices;
using CrossVit.Runtime.Kernels.Simd;

namespace CrossVit.Runtime.Kernels;

/// <summary>
/// 2^x: x = n + r with n the nearest integer (one rounding instruction), so r is exact and |r| ≤ ½ (no Cody–Waite
/// split, as <see cref="ExpOperator"/> needs), then 2^r = 1 + r·q(r) with q a degree-5 minimax fit (relative error
/// 2e-9; <c>tools/fit_exp.py</c>), and 2ⁿ put into the exponent. About 0.7 ulp. Inputs below −126 are clamped there (2^x
/// is subnormal below; the clamp keeps n ≥ −126, and turns −∞ into 2⁻¹²⁶); finite x from 128 on give +∞ (from 127.5
/// on where 2ⁿ goes through the exponent field, n = 128 being ∞ there); NaN stays NaN.
/// Attention computes its scores in base 2 (log₂e folded into its packed keys) to spend these fewer operations.
/// </summary>
internal readonly struct Exp2Operator : IUnaryOperator
{
    // Inlined so callers keep their vectors in registers (all vector registers are caller-saved).
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TVec Invoke<TSimd, TVec>(TVec x)
        where TSimd : ISimd<TVec>
        where TVec : struct
    {
        // x goes second, so a NaN stays NaN on x86 as well (see ExpOperator).
        x = TSimd.Max(TSimd.Create(-126f), x);
        var n = TSimd.Round(x);
        var r = TSimd.Subtract(x, n);
        var p = TSimd.Create(1.5353361960e-04f);
        p = TSimd.MultiplyAdd(p, r, TSimd.Create(1.3398875017e-03f));
        p = TSimd.MultiplyAdd(p, r, TSimd.Create(9.6184369177e-03f));
        p = TSimd.MultiplyAdd(p, r, TSimd.Create(5.5503323674e-02f));
        p = TSimd.MultiplyAdd(p, r, TSimd.Create(2.4022647738e-01f));
        p = TSimd.MultiplyAdd(p, r, TSimd.Create(6.9314718246e-01f));
        p = TSimd.MultiplyAdd(p, r, TSimd.Create(1f));
        return TSimd.ScaleByPow2(p, n);
    }
}

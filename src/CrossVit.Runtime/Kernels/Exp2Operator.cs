using System.Runtime.CompilerServices;
using CrossVit.Runtime.Kernels.Simd;

namespace CrossVit.Runtime.Kernels;

/// <summary>
/// 2^x: x = n + r with n = ⌊x⌋ and r = x − n in [0, 1] (<see cref="ISimd{TVec}.Pow2Split"/>: exact but for a small
/// negative x, where it rounds), with no Cody–Waite split as <see cref="ExpOperator"/> needs; then 2^r = 1 + r·q(r)
/// with q a degree-5 minimax fit (relative error 2e-9, 6.4e-8 as float's multiply-adds run it;
/// <c>tools/fit_exp.py</c>), and 2ⁿ put into the exponent. With the floor, AVX-512 takes r in one instruction (reduce)
/// and 2ⁿ from x itself (its scale floors the exponent), where the nearest integer cost a rounding and a subtraction.
/// Inputs below −126 are clamped there (2^x is subnormal below; the clamp keeps n ≥ −126, and turns −∞ into 2⁻¹²⁶);
/// finite x from 128 on give +∞; NaN stays NaN. Attention computes its scores in base 2 (log₂e folded into its packed
/// keys) to spend these fewer operations.
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
        var r = TSimd.Pow2Split(x, out var n);
        var p = TSimd.Create(2.1612914861e-04f);
        p = TSimd.MultiplyAdd(p, r, TSimd.Create(1.2467845809e-03f));
        p = TSimd.MultiplyAdd(p, r, TSimd.Create(9.6754515544e-03f));
        p = TSimd.MultiplyAdd(p, r, TSimd.Create(5.5485282093e-02f));
        p = TSimd.MultiplyAdd(p, r, TSimd.Create(2.4022930861e-01f));
        p = TSimd.MultiplyAdd(p, r, TSimd.Create(6.9314706326e-01f));
        p = TSimd.MultiplyAdd(p, r, TSimd.Create(1f));
        return TSimd.ScaleByPow2(p, n);
    }
}

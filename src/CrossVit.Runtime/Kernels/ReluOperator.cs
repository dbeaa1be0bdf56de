using System.Runtime.CompilerServices;
using CrossVit.Runtime.Kernels.Simd;

namespace CrossVit.Runtime.Kernels;

/// <summary>max(0, x); a NaN stays NaN (x goes second, where x86's max returns it when either is NaN).</summary>
internal readonly struct ReluOperator : IUnaryOperator
{
    // Inlined so callers keep their vectors in registers (all vector registers are caller-saved).
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TVec Invoke<TSimd, TVec>(TVec x)
        where TSimd : ISimd<TVec>
        where TVec : struct => TSimd.Max(TSimd.Create(0f), x);
}

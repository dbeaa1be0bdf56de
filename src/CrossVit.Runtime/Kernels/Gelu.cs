using System.Runtime.CompilerServices;
using CrossVit.Runtime.Kernels.Simd;
using CrossVit.Runtime.Profiling;

namespace CrossVit.Runtime.Kernels;

/// <summary>
/// Exact (erf) GELU. With h(a) = a·Φ(−a) = ½a·erfc(a/√2), gelu(x) = max(x, 0) − h(|x|) for either sign, so no select is
/// needed and the small h is computed directly instead of as a difference of nearly equal numbers. h(a) = a·P(v)/Q(v),
/// v = min(a, 5.6) − 2: a rational minimax fit (abs. error 2.4e-8; the float kernel stays within 3e-7 of the double
/// reference) derived by <c>tools/fit_gelu.py</c>. Thirteen FMAs and one division: half the work of an erfc through exp.
/// </summary>
internal readonly struct GeluOperator : IUnaryOperator
{
    // Inlined so callers keep their vectors in registers (all vector registers are caller-saved).
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TVec Invoke<TSimd, TVec>(TVec x)
        where TSimd : ISimd<TVec>
        where TVec : struct
    {
        // Past 5.6 the exact h is below 6e-8: every larger |x|, up to ±∞, gets h(5.6) ≈ 8.8e-8 (as fitted) instead.
        // |x| goes second: x86's min returns its second operand when either is NaN (NEON's and MathF.Min return NaN
        // anyway), so a NaN input stays NaN instead of becoming −h(5.6).
        var a = TSimd.Min(TSimd.Create(5.6f), TSimd.Abs(x));
        // Centred on 2 so the Horner sums do not cancel (in powers of a they lose a digit near a = 4).
        var v = TSimd.Subtract(a, TSimd.Create(2f));
        var p = TSimd.Create(1.803845407e-05f);
        p = TSimd.MultiplyAdd(p, v, TSimd.Create(-3.407092008e-04f));
        p = TSimd.MultiplyAdd(p, v, TSimd.Create(2.720549703e-03f));
        p = TSimd.MultiplyAdd(p, v, TSimd.Create(-1.178194582e-02f));
        p = TSimd.MultiplyAdd(p, v, TSimd.Create(2.924708091e-02f));
        p = TSimd.MultiplyAdd(p, v, TSimd.Create(-3.952585533e-02f));
        p = TSimd.MultiplyAdd(p, v, TSimd.Create(2.275014296e-02f));
        var q = TSimd.Create(1.671365171e-04f);
        q = TSimd.MultiplyAdd(q, v, TSimd.Create(2.210145816e-03f));
        q = TSimd.MultiplyAdd(q, v, TSimd.Create(1.260160282e-02f));
        q = TSimd.MultiplyAdd(q, v, TSimd.Create(5.525520071e-02f));
        q = TSimd.MultiplyAdd(q, v, TSimd.Create(1.596609652e-01f));
        q = TSimd.MultiplyAdd(q, v, TSimd.Create(4.213287234e-01f));
        q = TSimd.MultiplyAdd(q, v, TSimd.Create(6.358267665e-01f));
        q = TSimd.MultiplyAdd(q, v, TSimd.Create(1f));
        var h = TSimd.Divide(TSimd.Multiply(a, p), q);
        return TSimd.Subtract(TSimd.Max(x, TSimd.Create(0f)), h);
    }
}

/// <summary>GELU's checked entry.</summary>
public sealed unsafe partial class KernelSet
{
    /// <summary>Exact GELU, 0.5·x·(1 + erf(x/√2)), absolute error ≤ 1e-6. y may alias x.</summary>
    public void Gelu(ReadOnlySpan<float> x, Span<float> y)
    {
        CheckGelu(x, y);
        fixed (float* px = x)
        fixed (float* py = y)
        {
            _impl.Gelu(px, py, x.Length);
        }
    }

    /// <summary>Throws unless y can hold GELU of x.</summary>
    internal static void CheckGelu(ReadOnlySpan<float> x, Span<float> y) => Require(y.Length >= x.Length, "y is shorter than x.");
}

internal abstract unsafe partial class KernelImpl
{
    public abstract void Gelu(float* x, float* y, int length);
}

internal sealed unsafe partial class KernelImpl<TSimd, TVec>
{
    public override void Gelu(float* x, float* y, int length) => Elementwise.Map<GeluOperator, TSimd, TVec>(x, y, length);
}

internal sealed unsafe partial class ParallelKernels
{
    /// <summary>Element-wise chunks are multiples of this (a multiple of every vector width), so tails stay at the end.</summary>
    private const int Granule = 64;

    private readonly Job<GeluWork> _gelu = new();

    public void Gelu(ReadOnlySpan<float> x, Span<float> y, OpSite? site = null)
    {
        if (Planning) return;
        long start = _recorder is null ? 0 : OpRecorder.Now();
        if (Workers(x.Length, 4096) == 1)
        {
            _kernels.Gelu(x, y);
            _recorder?.Stop(site, start, _team.Threads, split: false, 0, 2L * sizeof(float) * x.Length);
            return;
        }
        KernelSet.CheckGelu(x, y);
        fixed (float* px = x) fixed (float* py = y)
        {
            Run(_gelu, new GeluWork(_impl, px, py, x.Length));
        }
        _recorder?.Stop(site, start, _team.Threads, split: true, 0, 2L * sizeof(float) * x.Length);
    }

    private readonly struct GeluWork(KernelImpl impl, float* x, float* y, int length) : IWork
    {
        public void Execute(int worker, int workers)
        {
            var (start, end) = Share(length, Granule, worker, workers);
            if (start < end) impl.Gelu(x + start, y + start, end - start);
        }
    }
}

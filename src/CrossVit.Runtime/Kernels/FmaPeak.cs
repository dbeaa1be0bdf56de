using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using CrossVit.Runtime.Kernels.Simd;

namespace CrossVit.Runtime.Kernels;

/// <summary>
/// The attainable FP32 peak of the machine a process runs on: a register-only loop of fused multiply-adds (16
/// independent accumulators, no memory traffic), the ceiling that the GEMM and a whole forward pass are read against.
/// Measured rather than computed from a clock, because a virtual machine's clock, turbo and neighbours decide it.
/// </summary>
public static class FmaPeak
{
    private const int Iterations = 1 << 20;
    private const int Accumulators = 16;

    /// <summary>Floating-point operations in one <see cref="Loop"/> of the given ISA (2 per lane per multiply-add).</summary>
    public static double LoopFlops(Isa isa) => 2.0 * Accumulators * Iterations * isa switch
    {
        Isa.Avx512 => 16,
        Isa.Avx2 => 8,
        Isa.V128 or Isa.Neon => 4,
        _ => 1,
    };

    /// <summary>
    /// One run of the loop on the calling thread (a few milliseconds with AVX-512). Returns the sum of the accumulators,
    /// so that the work cannot be optimized away; every ISA computes the same value per lane.
    /// </summary>
    public static float Loop(Isa isa) => isa switch
    {
        Isa.Avx512 => Loop<Simd512, Vector512<float>>(),
        Isa.Avx2 => Loop<Simd256, Vector256<float>>(),
        Isa.V128 => Loop<Simd128, Vector128<float>>(),
        Isa.Neon => Loop<SimdNeon, Vector128<float>>(),
        _ => Loop<ScalarSimd, float>(),
    };

    /// <summary>
    /// Runs the loop on <paramref name="threads"/> threads at once, <paramref name="rounds"/> times, and returns the
    /// median and the best of the rounds' wall-clock throughput in GFLOP/s, all threads together.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="threads"/> or <paramref name="rounds"/> is below 1.</exception>
    /// <exception cref="ArgumentException">This CPU does not accelerate <paramref name="isa"/>.</exception>
    public static (double MedianGflops, double BestGflops) Measure(Isa isa, int threads, int rounds)
    {
        if (!IsaSupport.IsSupported(isa))
            throw new ArgumentException($"This CPU does not accelerate {isa}, so it has no {isa} peak to measure; use one of: {string.Join(", ", Enum.GetValues<Isa>().Where(IsaSupport.IsSupported))}.", nameof(isa));
        ArgumentOutOfRangeException.ThrowIfLessThan(threads, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(rounds, 1);
        var seconds = new double[rounds];
        long start = 0;
        // Phase 0 ends when every thread has run its warm-up loop; phase r ends when all of them have finished round r.
        using var barrier = new Barrier(threads, b =>
        {
            long now = Stopwatch.GetTimestamp();
            if (b.CurrentPhaseNumber > 0) seconds[b.CurrentPhaseNumber - 1] = Stopwatch.GetElapsedTime(start, now).TotalSeconds;
            start = now;
        });
        var workers = new Thread[threads];
        for (int t = 0; t < threads; t++)
        {
            workers[t] = new Thread(() =>
            {
                Loop(isa);
                barrier.SignalAndWait();
                for (int r = 0; r < rounds; r++)
                {
                    Loop(isa);
                    barrier.SignalAndWait();
                }
            })
            { IsBackground = true, Name = $"fma-peak-{t}" };
            workers[t].Start();
        }

        foreach (var worker in workers) worker.Join();
        Array.Sort(seconds);
        double flops = LoopFlops(isa) * threads / 1e9;
        return (flops / seconds[rounds / 2], flops / seconds[0]);
    }

    // Full optimization from the first call: a tier-0 loop would be timed otherwise.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static float Loop<TSimd, TVec>()
        where TSimd : ISimd<TVec>
        where TVec : struct
    {
        var a = TSimd.Create(0.999f);
        var b = TSimd.Create(0.001f);
        TVec c0 = b, c1 = b, c2 = b, c3 = b, c4 = b, c5 = b, c6 = b, c7 = b, c8 = b, c9 = b, c10 = b, c11 = b, c12 = b, c13 = b, c14 = b, c15 = b;
        for (var i = 0; i < Iterations; i++)
        {
            c0 = TSimd.MultiplyAdd(c0, a, b);
            c1 = TSimd.MultiplyAdd(c1, a, b);
            c2 = TSimd.MultiplyAdd(c2, a, b);
            c3 = TSimd.MultiplyAdd(c3, a, b);
            c4 = TSimd.MultiplyAdd(c4, a, b);
            c5 = TSimd.MultiplyAdd(c5, a, b);
            c6 = TSimd.MultiplyAdd(c6, a, b);
            c7 = TSimd.MultiplyAdd(c7, a, b);
            c8 = TSimd.MultiplyAdd(c8, a, b);
            c9 = TSimd.MultiplyAdd(c9, a, b);
            c10 = TSimd.MultiplyAdd(c10, a, b);
            c11 = TSimd.MultiplyAdd(c11, a, b);
            c12 = TSimd.MultiplyAdd(c12, a, b);
            c13 = TSimd.MultiplyAdd(c13, a, b);
            c14 = TSimd.MultiplyAdd(c14, a, b);
            c15 = TSimd.MultiplyAdd(c15, a, b);
        }

        var sum = TSimd.Add(TSimd.Add(TSimd.Add(TSimd.Add(c0, c1), TSimd.Add(c2, c3)), TSimd.Add(TSimd.Add(c4, c5), TSimd.Add(c6, c7))),
            TSimd.Add(TSimd.Add(TSimd.Add(c8, c9), TSimd.Add(c10, c11)), TSimd.Add(TSimd.Add(c12, c13), TSimd.Add(c14, c15))));
        return TSimd.Sum(sum);
    }
}

using System.Diagnostics;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace CrossVit.Runtime.Threading;

/// <summary>
/// What two threads of this machine cost each other now, on a two-thread worker pool like a session's: an empty
/// parallel job's round trip (the synchronisation every split operation pays) and a 64 KB hand-over (one thread writes
/// it, the other then reads it, as attention reads the keys and values another core wrote). On a virtual machine both
/// depend on where the host has placed the vCPUs, which can change while a process runs; measured next to a
/// two-thread timing, they tell which state of the host that timing met (docs/performance.md, "Two threads and the host").
/// </summary>
/// <param name="RoundTripMicroseconds">Median wall time of an empty job run on both threads, in microseconds.</param>
/// <param name="HandOverMicroseconds">Median wall time of one hand-over (the writing job and the read), in microseconds.</param>
public readonly record struct CrossCoreCost(double RoundTripMicroseconds, double HandOverMicroseconds)
{
    private const int Rounds = 5;
    private const int RoundTrips = 20_000;
    private const int HandOvers = 500;

    /// <summary>Measures both costs: the median of five timed rounds each, after an untimed one; about a tenth of a second.</summary>
    public static CrossCoreCost Measure()
    {
        using var pool = new WorkerPool(2);
        var empty = new EmptyJob();
        var handOver = new HandOverJob();
        double trip = Median(RoundTrips, () => pool.Run(empty));
        double hand = Median(HandOvers, () =>
        {
            pool.Run(handOver);
            handOver.Read();
        });
        return new CrossCoreCost(trip, hand);
    }

    /// <summary>The median over the timed rounds of the microseconds one call of <paramref name="action"/> takes.</summary>
    /// <remarks>This and the hand-over's loops are optimized from their first call, so a process measures the same code early or late.</remarks>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static double Median(int calls, Action action)
    {
        var times = new double[Rounds];
        for (int round = -1; round < Rounds; round++)
        {
            long start = Stopwatch.GetTimestamp();
            for (int i = 0; i < calls; i++) action();
            // Round −1 warms up.
            if (round >= 0) times[round] = Stopwatch.GetElapsedTime(start).TotalMicroseconds / calls;
        }
        Array.Sort(times);
        return times[Rounds / 2];
    }

    private sealed class EmptyJob : ParallelJob
    {
        public override void Execute(int worker, int workers)
        {
        }
    }

    /// <summary>Worker 1 rewrites 64 KB; <see cref="Read"/>, on the caller's thread, sums it into <see cref="Sum"/>, which keeps the reads.</summary>
    private sealed class HandOverJob : ParallelJob
    {
        private readonly float[] _data = new float[16 * 1024];
        private float _round;

        public float Sum { get; private set; }

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public override void Execute(int worker, int workers)
        {
            if (worker != 1) return;
            _round++;
            var vectors = MemoryMarshal.Cast<float, Vector<float>>(_data.AsSpan());
            var value = new Vector<float>(_round);
            for (int i = 0; i < vectors.Length; i++) vectors[i] = value;
        }

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public void Read()
        {
            // Vectors and four sums, so the adds' latency does not hide the transfer.
            var vectors = MemoryMarshal.Cast<float, Vector<float>>(_data);
            Vector<float> s0 = default, s1 = default, s2 = default, s3 = default;
            for (int i = 0; i < vectors.Length; i += 4)
            {
                s0 += vectors[i];
                s1 += vectors[i + 1];
                s2 += vectors[i + 2];
                s3 += vectors[i + 3];
            }
            Sum = Vector.Sum(s0 + s1 + s2 + s3);
        }
    }
}

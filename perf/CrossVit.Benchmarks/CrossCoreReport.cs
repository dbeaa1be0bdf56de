using System.Diagnostics;
using System.Numerics;
using System.Runtime.InteropServices;
using CrossVit.Runtime.Threading;

namespace CrossVit.Benchmarks;

/// <summary>
/// `cores` mode, and the first lines of `quick`: what the two vCPUs cost each other, wall clock on a two-thread
/// <see cref="WorkerPool"/>. An empty job's round trip is the synchronisation each parallel operation of a pass pays; a
/// 64 KB hand-over (worker 1 writes it, then the caller reads it) is what an operation pays when it reads rows the other
/// core wrote, as attention does with the keys and values of the other core's row band. Run it next to a two-thread
/// benchmark to see which state of the host that benchmark met.
/// </summary>
internal static class CrossCoreReport
{
    public static void Run()
    {
        using var pool = new WorkerPool(2);
        var empty = new EmptyJob();
        var handOver = new HandOverJob();
        var trip = Median(100_000, () => pool.Run(empty));
        var hand = Median(2_000, () =>
        {
            pool.Run(handOver);
            handOver.Read();
        });
        Console.WriteLine($"worker pool, 2 threads: empty job round trip median {trip:F2} us | 64 KB hand-over median {hand:F2} us");
    }

    /// <summary>Median over five rounds of the microseconds one call of <paramref name="action"/> takes, from <paramref name="calls"/> calls a round.</summary>
    private static double Median(int calls, Action action)
    {
        var times = new List<double>();
        for (var round = 0; round < 6; round++)
        {
            var clock = Stopwatch.StartNew();
            for (var i = 0; i < calls; i++)
            {
                action();
            }

            // The first round warms up.
            if (round > 0)
            {
                times.Add(clock.Elapsed.TotalMicroseconds / calls);
            }
        }

        times.Sort();
        return times[2];
    }

    private sealed class EmptyJob : ParallelJob
    {
        public override void Execute(int worker, int workers)
        {
        }
    }

    /// <summary>Worker 1 rewrites 64 KB; <see cref="Read"/>, on the caller's core, sums it into <see cref="Sum"/>, which keeps the reads.</summary>
    private sealed class HandOverJob : ParallelJob
    {
        private readonly float[] _data = new float[16 * 1024];
        private float _round;

        public float Sum { get; private set; }

        public override void Execute(int worker, int workers)
        {
            if (worker == 1)
            {
                _round++;
                _data.AsSpan().Fill(_round);
            }
        }

        public void Read()
        {
            // Vectors and four sums, so the adds' latency does not hide the transfer.
            var vectors = MemoryMarshal.Cast<float, Vector<float>>(_data);
            Vector<float> s0 = default, s1 = default, s2 = default, s3 = default;
            for (var i = 0; i < vectors.Length; i += 4)
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

using System.Diagnostics;
using System.Runtime.InteropServices;
using CrossVit.Runtime.Kernels;
using CrossVit.Runtime.Threading;

namespace CrossVit.Benchmarks;

/// <summary>
/// `cores` mode, and the first line of `quick`: <see cref="CrossCoreCost"/>, what the two vCPUs cost each other now.
/// Run it next to a two-thread benchmark to see which state of the host that benchmark met. `cores` adds
/// <see cref="FirstTouch"/>.
/// </summary>
internal static class CrossCoreReport
{
    public static void Run(bool firstTouch = false)
    {
        var cost = CrossCoreCost.Measure();
        Console.WriteLine($"worker pool, 2 threads: empty job round trip median {cost.RoundTripMicroseconds:F2} us | 64 KB hand-over median {cost.HandOverMicroseconds:F2} us");
        if (firstTouch)
        {
            FirstTouch.Run();
        }
    }
}

/// <summary>
/// The same GEMM (200 × 384 by 384 × 128, some 70 µs) on both workers of a two-thread pool at once, each on data
/// private to it (under 1 MB, so it stays in the core's L2), timed per worker: worker 1's median when the calling thread
/// wrote worker 1's input and output first, when worker 1 did, and when the calling thread wrote only its output first.
/// Nothing is shared, so on a host that serves each core its own data alike the three agree; in the EPYC's slow state
/// (performance.md, "Two threads and the host") they did not.
/// </summary>
internal static unsafe class FirstTouch
{
    private const int M = 200, K = 384, N = 128, Jobs = 200, Rounds = 5;

    public static void Run()
    {
        var kernels = KernelSet.Create(IsaSupport.Best);
        var random = new Random(1);
        var weights = kernels.PackLinear(Enumerable.Range(0, N * K).Select(_ => random.NextSingle() - 0.5f).ToArray(), N, K);
        using var pool = new WorkerPool(2);
        var job = new GemmJob(kernels, weights);
        // Worker 0's data and a set for worker 1 written first by this (the calling) thread; a first job, with worker 1's
        // slot empty, has worker 1 write its own.
        job.Data[0] = Operands.WrittenHere();
        var byCaller = Operands.WrittenHere();
        pool.Run(job);
        var byWorker = job.Data[1];

        double[] caller = new double[Rounds], own = new double[Rounds], output = new double[Rounds], zero = new double[Rounds];
        for (var round = 0; round < Rounds; round++)
        {
            job.Data[1] = byCaller;
            (zero[round], caller[round]) = job.Time(pool, Jobs);
            job.Data[1] = byWorker;
            (_, own[round]) = job.Time(pool, Jobs);
            job.Data[1] = new Operands(byWorker.A, byCaller.C);
            (_, output[round]) = job.Time(pool, Jobs);
        }

        Console.WriteLine($"private {M}x{K}x{N} GEMM on each worker at once, median: worker 0 {Median(zero):F1} us | worker 1, its data first written " +
            $"by the caller {Median(caller):F1} us, by worker 1 {Median(own):F1} us, only its output by the caller {Median(output):F1} us");
        byCaller.Free();
        byWorker.Free();
        job.Data[0].Free();
    }

    private static double Median(double[] values)
    {
        var sorted = values.Order().ToArray();
        return sorted[sorted.Length / 2];
    }

    /// <summary>One worker's A, its output C, both first written by the thread that calls <see cref="WrittenHere"/>.</summary>
    private readonly struct Operands(float* a, float* c)
    {
        public float* A { get; } = a;

        public float* C { get; } = c;

        public static Operands WrittenHere()
        {
            var a = (float*)NativeMemory.AlignedAlloc(M * K * sizeof(float), 64);
            var c = (float*)NativeMemory.AlignedAlloc(M * N * sizeof(float), 64);
            new Span<float>(a, M * K).Fill(0.01f);
            new Span<float>(c, M * N).Clear();
            return new Operands(a, c);
        }

        public void Free()
        {
            NativeMemory.AlignedFree(A);
            NativeMemory.AlignedFree(C);
        }
    }

    private sealed class GemmJob(KernelSet kernels, PackedMatrix weights) : ParallelJob
    {
        private readonly long[] _ticks = new long[2];

        /// <summary>Each worker's operands; a worker whose slot is empty fills it with its own, first written by it, and returns.</summary>
        public Operands[] Data { get; } = new Operands[2];

        /// <summary>Microseconds per job each worker spent in its GEMM, over <paramref name="jobs"/> jobs after a few untimed ones.</summary>
        public (double Worker0, double Worker1) Time(WorkerPool pool, int jobs)
        {
            for (var i = 0; i < 10; i++)
            {
                pool.Run(this);
            }

            Array.Clear(_ticks);
            for (var i = 0; i < jobs; i++)
            {
                pool.Run(this);
            }

            double perJob = 1e6 / Stopwatch.Frequency / jobs;
            return (_ticks[0] * perJob, _ticks[1] * perJob);
        }

        public override void Execute(int worker, int workers)
        {
            var data = Data[worker];
            if (data.A == null)
            {
                Data[worker] = Operands.WrittenHere();
                return;
            }

            long start = Stopwatch.GetTimestamp();
            kernels.Linear(new ReadOnlySpan<float>(data.A, M * K), M, weights, [], new Span<float>(data.C, M * N));
            _ticks[worker] += Stopwatch.GetTimestamp() - start;
        }
    }
}

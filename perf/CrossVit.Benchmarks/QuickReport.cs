using System.Diagnostics;
using CrossVit.Runtime.Engine;
using CrossVit.Runtime.Kernels;

namespace CrossVit.Benchmarks;

/// <summary>
/// `quick` mode: a few seconds per ISA, median of repeated timings in thread CPU time, printed as GFLOP/s and as a fraction of the FMA loop on one thread (<see cref="Peak"/>).
/// A fast loop for tuning; the BenchmarkDotNet classes are the careful measurement.
/// </summary>
internal static class QuickReport
{
    public static void Run(string[] args)
    {
        var isas = args.Length > 0 ? args.Select(a => IsaSupport.Resolve(Enum.Parse<Isa>(a, ignoreCase: true))) : Enum.GetValues<Isa>().Where(IsaSupport.IsSupported);
        CrossCoreReport.Run();
        foreach (var isa in isas)
        {
            Print(isa, "plain FMA loop (peak probe)", FmaPeak.LoopFlops(isa), Time(() => FmaPeak.Loop(isa)));
            var (median, best) = FmaPeak.Measure(isa, threads: 2, rounds: 100);
            Console.WriteLine($"{isa,-7} {"FMA loop, 2 threads, wall",-30} median {median,7:F1} GFLOP/s | best {best,7:F1} GFLOP/s");
            var gemms = Shapes.Gemm.Select(s => new GemmBenchmarks { Isa = isa, Shape = $"{s.M}x{s.K}x{s.N}" }).ToList();
            foreach (var bench in gemms)
            {
                bench.Setup();
                Print(isa, $"gemm {bench.Shape}", bench.Flops, Time(bench.Linear));
            }

            // The same GEMMs as a pass meets them: L2 full of other dirty lines, so C's lines come from L3 or memory.
            foreach (var bench in gemms)
            {
                Print(isa, $"gemm {bench.Shape}, L2 dirty", bench.Flops, Time(bench.Linear, DirtyL2));
            }

            foreach (var shape in ConvBenchmarks.ShapeNames)
            {
                var bench = new ConvBenchmarks { Isa = isa, Shape = shape };
                bench.Setup();
                Print(isa, $"conv {bench.Shape}", bench.Flops, Time(bench.Conv));
            }

            foreach (var (t, dim) in Shapes.Attention)
            {
                var bench = new AttentionBenchmarks { Isa = isa, Shape = $"{t}x{dim}" };
                bench.Setup();
                Print(isa, $"attention {bench.Shape}", bench.Flops, Time(bench.Attention));
            }

            foreach (var shape in new[] { "401x128", "197x256", "197x768" })
            {
                var bench = new ElementwiseBenchmarks { Isa = isa, Shape = shape };
                bench.Setup();
                PrintBandwidth(isa, $"layernorm {shape}", bench.Work, Time(bench.LayerNorm));
                PrintBandwidth(isa, $"gelu {shape}", bench.Work, Time(bench.Gelu));
            }

            foreach (var shape in new[] { InputBenchmarks.Resize, InputBenchmarks.ChannelsLast })
            {
                var bench = new InputBenchmarks { Isa = isa, Shape = shape };
                bench.Setup();
                PrintBandwidth(isa, shape, bench.Work, Time(bench.Run));
            }
        }
    }

    /// <summary>Bytes <see cref="DirtyL2"/> writes: more than any core's L2 seen here (2 MB on the Xeons, 1 MB on the EPYC).</summary>
    private const int DirtBytes = 4 << 20;

    private static readonly float[] Dirt = new float[DirtBytes / sizeof(float)];

    /// <summary>Writes a float in every line of <see cref="DirtBytes"/>, leaving L2 full of dirty lines.</summary>
    private static void DirtyL2()
    {
        for (var i = 0; i < Dirt.Length; i += 16)
        {
            Dirt[i] += 1f;
        }
    }

    /// <summary>
    /// Median and best time of repeated runs (the best is what contention on a shared machine disturbs least), each after
    /// an untimed <paramref name="before"/> when given.
    /// </summary>
    private static (double Median, double Best) Time(Action action, Action? before = null)
    {
        action();
        var times = new List<double>();
        var total = Stopwatch.StartNew();
        while (times.Count < 5 || (total.Elapsed.TotalSeconds < 0.4 && times.Count < 2000))
        {
            before?.Invoke();
            var start = ThreadCpuClock.Seconds;
            action();
            times.Add(ThreadCpuClock.Seconds - start);
        }

        times.Sort();
        return (times[times.Count / 2], times[0]);
    }

    private static void Print(Isa isa, string name, double flops, (double Median, double Best) t)
    {
        var median = flops / t.Median / 1e9;
        var best = flops / t.Best / 1e9;
        Console.WriteLine(
            $"{isa,-7} {name,-30} median {t.Median * 1e6,9:F1} us {median,7:F1} GFLOP/s {median / Peak.Gflops(isa),5:P0} of the FMA loop | best {best,7:F1} GFLOP/s");
    }

    private static void PrintBandwidth(Isa isa, string name, double bytes, (double Median, double Best) t) =>
        Console.WriteLine($"{isa,-7} {name,-30} median {t.Median * 1e6,9:F1} us {bytes / t.Median / 1e9,7:F1} GB/s | best {bytes / t.Best / 1e9,7:F1} GB/s");
}

using System.CommandLine;
using System.Diagnostics;
using System.Text.Encodings.Web;
using System.Text.Json;
using CrossVit.Runtime.Engine;
using CrossVit.Runtime.Kernels;
using CrossVit.Runtime.Model;
using CrossVit.Runtime.Threading;

namespace CrossVit.Cli.Commands;

/// <summary><c>crossvit bench</c>: latency and throughput of one session, in-process.</summary>
internal static class BenchCommand
{
    public static Command Create()
    {
        var options = new SessionRunOptions();
        var json = new Option<bool>("--json") { Description = "Also print one JSON line last." };
        var command = new Command("bench", "Time forward passes of a session: median, p90 and min latency, throughput, allocations.");
        options.AddTo(command);
        command.Options.Add(json);
        command.SetAction(r =>
        {
            long loading = Stopwatch.GetTimestamp();
            using var m = options.LoadModel(r);
            double loadMs = Stopwatch.GetElapsedTime(loading).TotalMilliseconds;
            var result = Measure(m, options.Session(r), r.GetValue(options.Warmup), r.GetValue(options.Iterations)) with { LoadMilliseconds = loadMs };
            Print(result, options.ModelName(r, m), r.GetValue(json));
            return 0;
        });
        return command;
    }

    // PeakGflops: the median of FmaPeak on the session's threads, measured just before the timed runs.
    // Cores: on two threads or more, CrossCoreCost just before and just after the timed runs.
    // LoadMilliseconds: binding and packing the weights (with --model, also generating them).
    private sealed record Result(CrossVitModel Model, int Batch, int Threads, double[] Milliseconds, long AllocatedPerRun, string Branches, int ImagesPerWorker,
        double PeakGflops, CrossCoreCost[]? Cores)
    {
        public double LoadMilliseconds { get; init; }
    }

    private static Result Measure(CrossVitModel model, SessionOptions options, int warmup, int iterations)
    {
        var c = model.Config;
        int batch = options.MaxBatch;
        int size = c.ImgSize[0];
        var input = SessionRunOptions.Input(c, batch);
        var output = new float[batch * c.OutputSize];
        using var session = model.CreateSession(options);
        var ms = new double[iterations];
        // The warm-up runs the timed loop's own code: a method's first call is JIT-compiled, and what the JIT allocates
        // on this thread would count as the runs'.
        for (int i = 0; i < warmup; i++) TimedRun();

        double peak = FmaPeak.Measure(model.Isa, options.Threads, rounds: 30).MedianGflops;
        long allocated = 0;
        var cores = CrossCoreProbe.Around(options.Threads, () =>
        {
            allocated = session.AllocatedBytes;
            for (int i = 0; i < iterations; i++) ms[i] = TimedRun();
            allocated = session.AllocatedBytes - allocated;
        });
        Array.Sort(ms);
        return new Result(model, batch, options.Threads, ms, allocated / iterations, Describe(session.BranchSchedule(batch)),
            session.ImagesPerWorker(batch), peak, cores);

        double TimedRun()
        {
            long start = Stopwatch.GetTimestamp();
            session.Run(input, batch, size, size, output);
            return Stopwatch.GetElapsedTime(start).TotalMilliseconds;
        }
    }

    /// <summary>
    /// A session's <see cref="InferenceSession.BranchSchedule"/> in one line, e.g. "embedding seq; blocks 3+13 3+13 3+13;
    /// fusion 10+6 10+6 10+6": each part's workers per branch, or seq where the branches run one after another.
    /// </summary>
    internal static string Describe(IReadOnlyList<IReadOnlyList<int>?> schedule)
    {
        static string Part(IReadOnlyList<int>? groups) => groups is null ? "seq" : string.Join('+', groups);
        var stages = Enumerable.Range(0, (schedule.Count - 1) / 2).ToList();
        return $"embedding {Part(schedule[0])}; blocks {string.Join(' ', stages.Select(s => Part(schedule[1 + 2 * s])))}; " +
            $"fusion {string.Join(' ', stages.Select(s => Part(schedule[2 + 2 * s])))}";
    }

    /// <summary>How a run of <paramref name="batch"/> images on <paramref name="threads"/> threads is cut, e.g. "4 per worker, 1 shared" (see <see cref="InferenceSession.ImagesPerWorker"/>).</summary>
    internal static string DescribeImages(int batch, int threads, int perWorker) => $"{perWorker} per worker, {batch - (perWorker * threads)} shared";

    private static void Print(Result r, string name, bool json)
    {
        double median = Percentile(r.Milliseconds, 0.5), p90 = Percentile(r.Milliseconds, 0.9), min = r.Milliseconds[0];
        double imagesPerSecond = r.Batch * 1000 / median;
        double flops = 2.0 * ModelCost.MultiplyAdds(r.Model.Config) * r.Batch;
        double gflops = flops / (median / 1000) / 1e9;
        Console.WriteLine($"model {name}, batch {r.Batch}, threads {r.Threads}, isa {r.Model.Isa}, {r.Milliseconds.Length} runs");
        Console.WriteLine($"latency   median {median:F2} ms   p90 {p90:F2} ms   min {min:F2} ms");
        Console.WriteLine($"throughput {imagesPerSecond:F1} images/s   {gflops:F1} GFLOP/s ({gflops / r.PeakGflops:P0} of peak)");
        Console.WriteLine($"peak      {r.PeakGflops:F1} GFLOP/s: a plain FMA loop on {r.Threads} thread{(r.Threads == 1 ? "" : "s")} here; no run can beat {flops / r.PeakGflops / 1e6:F2} ms");
        CrossCoreProbe.Print(r.Cores);
        Console.WriteLine($"allocated {r.AllocatedPerRun} bytes per run");
        Console.WriteLine($"load      {r.LoadMilliseconds:F1} ms: the weights bound and packed for the kernels (generated first, without --weights)");
        Console.WriteLine($"images    {DescribeImages(r.Batch, r.Threads, r.ImagesPerWorker)}");
        Console.WriteLine($"branches  {r.Branches}");
        if (!json) return;
        using var stream = Console.OpenStandardOutput();
        // Relaxed escaping keeps the schedule's "+" readable; the line goes to a terminal or a script, never into HTML.
        using (var w = new Utf8JsonWriter(stream, new JsonWriterOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            w.WriteStartObject();
            w.WriteString("model", name);
            w.WriteNumber("batch", r.Batch);
            w.WriteNumber("threads", r.Threads);
            w.WriteString("isa", r.Model.Isa.ToString().ToLowerInvariant());
            w.WriteNumber("median_ms", Math.Round(median, 3));
            w.WriteNumber("p90_ms", Math.Round(p90, 3));
            w.WriteNumber("min_ms", Math.Round(min, 3));
            w.WriteNumber("images_per_s", Math.Round(imagesPerSecond, 2));
            w.WriteNumber("gflops", Math.Round(gflops, 1));
            w.WriteNumber("peak_gflops", Math.Round(r.PeakGflops, 1));
            CrossCoreProbe.Write(w, r.Cores);
            w.WriteNumber("allocated_bytes_per_run", r.AllocatedPerRun);
            w.WriteNumber("load_ms", Math.Round(r.LoadMilliseconds, 1));
            w.WriteNumber("images_per_worker", r.ImagesPerWorker);
            w.WriteString("branches", r.Branches);
            w.WriteEndObject();
        }
        stream.Write("\n"u8);
    }

    /// <summary>Nearest-rank percentile of sorted values.</summary>
    private static double Percentile(double[] sorted, double p) => sorted[Math.Clamp((int)Math.Ceiling(p * sorted.Length) - 1, 0, sorted.Length - 1)];
}

using System.CommandLine;
using System.Text.Encodings.Web;
using System.Text.Json;
using CrossVit.Runtime.Engine;
using CrossVit.Runtime.Kernels;
using CrossVit.Runtime.Model;
using CrossVit.Runtime.Profiling;
using CrossVit.Runtime.Threading;
using CrossVit.Weights;

namespace CrossVit.Cli.Commands;

/// <summary>
/// <c>crossvit profile</c>: where a pass's time goes, by op kind (or by layer): calls, milliseconds, share, GFLOP/s
/// against the FMA loop's peak, GB/s of the memory-bound kinds, and the time workers waited inside each kind.
/// </summary>
internal static class ProfileCommand
{
    public static Command Create()
    {
        var options = new SessionRunOptions();
        var json = new Option<bool>("--json") { Description = "Also print one JSON line last." };
        var byLayer = new Option<bool>("--by-layer") { Description = "Also break the pass down by layer (stage, branch, block)." };
        var svg = new Option<string?>("--svg") { Description = "Write the breakdown by op kind as an SVG bar chart to this file." };
        var command = new Command("profile", "Time every operation of a session's passes: milliseconds, share, GFLOP/s and waits per op kind.");
        options.AddTo(command);
        command.Options.Add(byLayer);
        command.Options.Add(json);
        command.Options.Add(svg);
        command.SetAction(r =>
        {
            string? svgPath = r.GetValue(svg) is { } path ? FileArguments.RequireOutput(path, "--svg") : null;
            using var m = options.LoadModel(r);
            var report = Measure(m, options.Session(r, profile: true), r.GetValue(options.Warmup), r.GetValue(options.Iterations), options.ModelName(r, m));
            Print(report, r.GetValue(byLayer));
            if (svgPath is not null)
            {
                using var file = AtomicFile.Create(svgPath);
                using (var writer = new StreamWriter(file.Stream, leaveOpen: true)) writer.Write(ProfileChart.Svg(report));
                file.Commit();
                Console.WriteLine($"wrote {svgPath}");
            }
            if (r.GetValue(json)) WriteJson(report, r.GetValue(byLayer));
            return 0;
        });
        return command;
    }

    /// <summary>
    /// A profile with what it is read against: the model, the ISA, the FMA loop's median on the session's threads, and on
    /// two threads or more the cross-core probes around the runs.
    /// </summary>
    internal sealed record Report(string Model, int Batch, int Threads, Isa Isa, string Branches, int ImagesPerWorker, double PeakGflops,
        PassProfile Profile, CrossCoreCost[]? Cores)
    {
        public double PassMilliseconds => Profile.Milliseconds / Profile.Passes;

        /// <summary>One row of the breakdown, per pass.</summary>
        public Row RowOf(OpProfile op) => new(op, this);

        /// <summary>
        /// The time outside the operations, in milliseconds per pass: the image wait where workers ran images by
        /// themselves, then the rest (below zero where concurrent branches overlap).
        /// </summary>
        public IEnumerable<(string Label, double Milliseconds)> Outside()
        {
            if (ImagesPerWorker > 0) yield return ("image wait (other workers)", Profile.ImageWaitMilliseconds / Profile.Passes);
            yield return ("other (outside the operations)", Profile.OtherMilliseconds / Profile.Passes);
        }
    }

    /// <summary>
    /// An operation's figures per pass: milliseconds, share of the pass, GFLOP/s, fraction of peak, GB/s, worker-milliseconds
    /// waited, in all and by when (<see cref="OpWaits"/>).
    /// </summary>
    internal sealed class Row(OpProfile op, Report report)
    {
        private readonly double _passes = report.Profile.Passes;

        public OpProfile Op => op;
        public double Calls => op.Calls / _passes;
        public double Milliseconds => op.Milliseconds / _passes;
        public double Share => op.Milliseconds / report.Profile.Milliseconds;
        public double? Gflops => op.MultiplyAdds == 0 || op.Milliseconds <= 0 ? null : 2.0 * op.MultiplyAdds / (op.Milliseconds / 1000) / 1e9;
        public double? PeakFraction => Gflops / report.PeakGflops;
        public double? GBps => OpKinds.IsMemoryBound(op.Kind) && op.Milliseconds > 0 ? op.Bytes / (op.Milliseconds / 1000) / 1e9 : null;
        public double WaitMilliseconds => op.Waits.TotalMilliseconds / _passes;
        public double StartWaitMilliseconds => op.Waits.StartMilliseconds / _passes;
        public double UnevenWaitMilliseconds => op.Waits.UnevenMilliseconds / _passes;
        public double JoinWaitMilliseconds => op.Waits.JoinMilliseconds / _passes;
        public long MultiplyAdds => (long)Math.Round(op.MultiplyAdds / _passes);
    }

    private static Report Measure(CrossVitModel model, SessionOptions options, int warmup, int iterations, string name)
    {
        var c = model.Config;
        int batch = options.MaxBatch, size = c.ImgSize[0];
        var input = SessionRunOptions.Input(c, batch);
        var output = new float[batch * c.OutputSize];
        using var session = model.CreateSession(options);
        for (int i = 0; i < warmup; i++) session.Run(input, batch, size, size, output);
        double peak = FmaPeak.Measure(model.Isa, options.Threads, rounds: 30).MedianGflops;
        session.ResetProfile();
        var cores = CrossCoreProbe.Around(options.Threads, () =>
        {
            for (int i = 0; i < iterations; i++) session.Run(input, batch, size, size, output);
        });
        return new Report(name, batch, options.Threads, model.Isa, BenchCommand.Describe(session.BranchSchedule(batch)),
            session.ImagesPerWorker(batch), peak, session.ReadProfile(), cores);
    }

    private static void Print(Report r, bool byLayer)
    {
        var p = r.Profile;
        double flops = 2.0 * p.Layers.Sum(l => l.MultiplyAdds) / p.Passes;
        double gflops = flops / (r.PassMilliseconds / 1000) / 1e9;
        Console.WriteLine($"model {r.Model}, batch {r.Batch}, threads {r.Threads}, isa {r.Isa}, {p.Passes} runs profiled");
        Console.WriteLine($"pass      {r.PassMilliseconds:F2} ms (mean)   {gflops:F1} GFLOP/s ({gflops / r.PeakGflops:P0} of peak)");
        Console.WriteLine($"peak      {r.PeakGflops:F1} GFLOP/s: a plain FMA loop on {r.Threads} thread{(r.Threads == 1 ? "" : "s")} here");
        CrossCoreProbe.Print(r.Cores);
        Console.WriteLine($"images    {BenchCommand.DescribeImages(r.Batch, r.Threads, r.ImagesPerWorker)}");
        if (r.ImagesPerWorker > 0)
        {
            Console.WriteLine($"per worker: each worker's operations count 1/{r.Threads} of their time, so that the parts add up to the pass; 'image wait' is a worker's wait, done with its images, for the others to finish theirs");
        }

        Console.WriteLine($"branches  {r.Branches}");
        if (r.Branches.Contains('+', StringComparison.Ordinal))
        {
            Console.WriteLine("overlap: where branches run side by side (n+m), their operations' times add up to more than the pass; 'other' can go below zero");
        }

        Console.WriteLine("wait: worker-milliseconds per pass spent inside the operations without work: before the shares start (checks, waking),");
        Console.WriteLine("      between the first worker's end of its share and the last's (uneven: unequal work or speeds), and in the join");
        Console.WriteLine($"{OpKinds.Label(OpKind.CrossAttention)}: GFLOP/s of ModelCost's nominal work (wk, wv over every token); the folded kernel does far less");
        Console.WriteLine();
        Table("op kind", [.. p.ByKind().Select(op => (OpKinds.Label(op.Kind), r.RowOf(op)))], r);
        if (!byLayer) return;
        Console.WriteLine();
        Table("layer", [.. p.Layers.Select(op => ($"{op.Layer} ({OpKinds.Label(op.Kind)})", r.RowOf(op)))], r);
    }

    private static void Table(string heading, IReadOnlyList<(string Name, Row Row)> rows, Report r)
    {
        var outside = r.Outside().ToList();
        int width = new[] { heading.Length, rows.Max(x => x.Name.Length), outside.Max(x => x.Label.Length) }.Max() + 2;
        Console.WriteLine($"{heading.PadRight(width)}{"calls",7}{"ms/pass",10}{"share",8}{"GFLOP/s",9}{"of peak",9}{"GB/s",8}{"wait ms",9}{"start",8}{"uneven",8}{"join",8}");
        foreach (var (name, row) in rows)
        {
            Console.WriteLine($"{name.PadRight(width)}{row.Calls,7:0.#}{row.Milliseconds,10:F3}{row.Share,8:P1}{Format(row.Gflops, "F1"),9}" +
                $"{Format(row.PeakFraction, "P0"),9}{Format(row.GBps, "F1"),8}{row.WaitMilliseconds,9:F3}" +
                $"{row.StartWaitMilliseconds,8:F3}{row.UnevenWaitMilliseconds,8:F3}{row.JoinWaitMilliseconds,8:F3}");
        }
        foreach (var (label, ms) in outside)
            Console.WriteLine($"{label.PadRight(width)}{"",7}{ms,10:F3}{ms / r.PassMilliseconds,8:P1}");
        Console.WriteLine($"{"pass".PadRight(width)}{"",7}{r.PassMilliseconds,10:F3}{1,8:P1}");
    }

    private static string Format(double? value, string format) => value is { } v ? v.ToString(format, System.Globalization.CultureInfo.InvariantCulture) : "-";

    private static void WriteJson(Report r, bool byLayer)
    {
        var p = r.Profile;
        using var stream = Console.OpenStandardOutput();
        using (var w = new Utf8JsonWriter(stream, new JsonWriterOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            w.WriteStartObject();
            w.WriteString("model", r.Model);
            w.WriteNumber("batch", r.Batch);
            w.WriteNumber("threads", r.Threads);
            w.WriteString("isa", r.Isa.ToString().ToLowerInvariant());
            w.WriteNumber("images_per_worker", r.ImagesPerWorker);
            w.WriteString("branches", r.Branches);
            w.WriteNumber("runs", p.Passes);
            w.WriteNumber("pass_ms", Math.Round(r.PassMilliseconds, 4));
            w.WriteNumber("image_wait_ms", Math.Round(p.ImageWaitMilliseconds / p.Passes, 4));
            w.WriteNumber("other_ms", Math.Round(p.OtherMilliseconds / p.Passes, 4));
            w.WriteNumber("multiply_adds", p.Layers.Sum(l => l.MultiplyAdds) / p.Passes);
            w.WriteNumber("peak_gflops", Math.Round(r.PeakGflops, 1));
            CrossCoreProbe.Write(w, r.Cores);
            w.WriteStartArray("kinds");
            foreach (var op in p.ByKind()) WriteRow(w, r.RowOf(op), "kind", OpKinds.Id(op.Kind));
            w.WriteEndArray();
            if (byLayer)
            {
                w.WriteStartArray("layers");
                foreach (var op in p.Layers) WriteRow(w, r.RowOf(op), "layer", op.Layer);
                w.WriteEndArray();
            }
            w.WriteEndObject();
        }
        stream.Write("\n"u8);
    }

    private static void WriteRow(Utf8JsonWriter w, Row row, string key, string name)
    {
        w.WriteStartObject();
        w.WriteString(key, name);
        if (key != "kind") w.WriteString("kind", OpKinds.Id(row.Op.Kind));
        w.WriteNumber("calls", Math.Round(row.Calls, 3));
        w.WriteNumber("ms", Math.Round(row.Milliseconds, 4));
        w.WriteNumber("share", Math.Round(row.Share, 4));
        w.WriteNumber("multiply_adds", row.MultiplyAdds);
        Nullable(w, "gflops", row.Gflops, 1);
        Nullable(w, "peak_fraction", row.PeakFraction, 3);
        Nullable(w, "gbps", row.GBps, 2);
        w.WriteNumber("wait_ms", Math.Round(row.WaitMilliseconds, 4));
        w.WriteNumber("wait_start_ms", Math.Round(row.StartWaitMilliseconds, 4));
        w.WriteNumber("wait_uneven_ms", Math.Round(row.UnevenWaitMilliseconds, 4));
        w.WriteNumber("wait_join_ms", Math.Round(row.JoinWaitMilliseconds, 4));
        w.WriteEndObject();
    }

    private static void Nullable(Utf8JsonWriter w, string name, double? value, int digits)
    {
        if (value is { } v) w.WriteNumber(name, Math.Round(v, digits));
        else w.WriteNull(name);
    }
}

using System.Security;
using System.Text;
using CrossVit.Runtime.Engine;
using CrossVit.Runtime.Profiling;

namespace CrossVit.Cli.Commands;

/// <summary>
/// A profile by op kind as an SVG chart of horizontal bars (milliseconds per pass), written as text: no drawing
/// library, so the CLI keeps no native dependency.
/// </summary>
internal static class ProfileChart
{
    private const int Left = 230, BarArea = 430, Right = 290, Top = 86, RowHeight = 26;
    private const string Font = "font-family=\"DejaVu Sans, Arial, Helvetica, sans-serif\"";
    private const string Compute = "#1f77b4", Memory = "#2ca02c", Other = "#999999", Wait = "#ffffff";

    public static string Svg(ProfileCommand.Report r)
    {
        var p = r.Profile;
        var rows = p.ByKind().Where(op => op.Calls > 0).Select(op => (Label: OpKinds.Label(op.Kind), Row: r.RowOf(op))).ToList();
        // Below the operations, in grey: the time outside them (below zero where concurrent branches overlap, drawn as 0).
        var outside = r.Outside().Select(x => (x.Label, Milliseconds: Math.Max(0, x.Milliseconds))).ToList();
        double longest = Math.Max(outside.Max(x => x.Milliseconds), rows.Max(x => x.Row.Milliseconds));
        double scale = BarArea / NiceCeiling(longest);
        int bars = rows.Count + outside.Count;
        int height = Top + RowHeight * bars + 44, width = Left + BarArea + Right;
        var svg = new StringBuilder();
        Append(svg, $"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{width}\" height=\"{height}\" viewBox=\"0 0 {width} {height}\">");
        Append(svg, $"<rect width=\"{width}\" height=\"{height}\" fill=\"white\"/>");
        Text(svg, 20, 26, $"Where a pass goes: {r.Model}, batch {r.Batch}, {r.Threads} thread{(r.Threads == 1 ? "" : "s")}, {r.Isa.ToString().ToLowerInvariant()}", 16, "bold");
        Text(svg, 20, 46, FormattableString.Invariant(
            $"crossvit profile, {p.Passes} passes, {r.PassMilliseconds:F2} ms per pass; FMA loop peak {r.PeakGflops:F0} GFLOP/s on these threads"), 11, fill: "#555");
        Legend(svg, 20, 68);
        double axis = NiceCeiling(longest);
        for (int i = 0; i <= 5; i++)
        {
            double x = Left + BarArea * i / 5.0, bottom = Top + RowHeight * bars;
            Append(svg, FormattableString.Invariant($"<line x1=\"{x:F1}\" y1=\"{Top - 4}\" x2=\"{x:F1}\" y2=\"{bottom:F1}\" stroke=\"#ddd\"/>"));
            Text(svg, x, bottom + 16, FormattableString.Invariant($"{axis * i / 5:0.##}"), 11, anchor: "middle");
        }
        Text(svg, Left + BarArea / 2.0, Top + RowHeight * bars + 34, "milliseconds per pass", 11, anchor: "middle");
        int index = 0;
        foreach (var (label, row) in rows)
        {
            double y = Top + RowHeight * index++;
            double w = row.Milliseconds * scale, waited = Math.Min(w, row.WaitMilliseconds / r.Threads * scale);
            string colour = OpKinds.IsMemoryBound(row.Op.Kind) ? Memory : Compute;
            string rate = row.GBps is { } gbps ? FormattableString.Invariant($"{gbps:F1} GB/s")
                : row.Gflops is { } gflops ? FormattableString.Invariant($"{gflops:F0} GFLOP/s ({row.PeakFraction:P0} of peak)") : "";
            if (row.Op.Kind == OpKind.CrossAttention && rate.Length > 0) rate += ", nominal";
            Text(svg, Left - 8, y + 17, label, 12, anchor: "end");
            Bar(svg, Left, y + 4, w, colour, FormattableString.Invariant($"{label}: {row.Milliseconds:F3} ms per pass, {row.Calls:0.#} calls, waits {row.WaitMilliseconds:F3} worker-ms ({row.UnevenWaitMilliseconds:F3} uneven)"));
            if (waited >= 0.5)
                Append(svg, FormattableString.Invariant($"<rect x=\"{Left + w - waited:F1}\" y=\"{y + 8:F1}\" width=\"{waited:F1}\" height=\"{RowHeight - 16}\" fill=\"{Wait}\" fill-opacity=\"0.55\"/>"));
            Text(svg, Left + w + 6, y + 17, FormattableString.Invariant($"{row.Milliseconds:F2} ms, {row.Share:P1}{(rate.Length > 0 ? ", " + rate : "")}"), 11);
        }
        foreach (var (label, ms) in outside)
        {
            double y = Top + RowHeight * index++;
            Text(svg, Left - 8, y + 17, label, 12, anchor: "end");
            Bar(svg, Left, y + 4, ms * scale, Other, FormattableString.Invariant($"{label}: {ms:F3} ms per pass"));
            Text(svg, Left + ms * scale + 6, y + 17, FormattableString.Invariant($"{ms:F2} ms, {ms / r.PassMilliseconds:P1}"), 11);
        }
        Append(svg, FormattableString.Invariant($"<line x1=\"{Left}\" y1=\"{Top - 4}\" x2=\"{Left}\" y2=\"{Top + RowHeight * bars}\" stroke=\"#222\"/>"));
        svg.Append("</svg>\n");
        return svg.ToString();
    }

    private static void Legend(StringBuilder svg, double x, double y)
    {
        foreach (var (label, colour, opacity) in new[]
        {
            ("compute (GFLOP/s against the FMA loop)", Compute, 1.0), ("memory-bound (GB/s)", Memory, 1.0),
            ("lighter end: time each worker waited, on average", Compute, 0.45),
        })
        {
            Append(svg, FormattableString.Invariant($"<rect x=\"{x:F1}\" y=\"{y - 10:F1}\" width=\"12\" height=\"12\" fill=\"{colour}\" fill-opacity=\"{opacity}\"/>"));
            Text(svg, x + 17, y, label, 11);
            x += 30 + 6.2 * label.Length;
        }
    }

    private static void Bar(StringBuilder svg, double x, double y, double w, string colour, string title) =>
        Append(svg, FormattableString.Invariant(
            $"<rect x=\"{x:F1}\" y=\"{y:F1}\" width=\"{Math.Max(w, 0.5):F1}\" height=\"{RowHeight - 8}\" fill=\"{colour}\"><title>{SecurityElement.Escape(title)}</title></rect>"));

    private static void Text(StringBuilder svg, double x, double y, string s, int size, string weight = "normal", string anchor = "start", string fill = "#222") =>
        Append(svg, FormattableString.Invariant(
            $"<text x=\"{x:F1}\" y=\"{y:F1}\" {Font} font-size=\"{size}\" text-anchor=\"{anchor}\" font-weight=\"{weight}\" fill=\"{fill}\">{SecurityElement.Escape(s)}</text>"));

    private static void Append(StringBuilder svg, string line) => svg.Append(line).Append('\n');

    /// <summary>The smallest 1, 2, 2.5 or 5 × 10ⁿ at or above <paramref name="value"/>, so that the axis ends on a round tick.</summary>
    private static double NiceCeiling(double value)
    {
        if (value <= 0) return 1;
        double power = Math.Pow(10, Math.Floor(Math.Log10(value)));
        foreach (double step in new[] { 1, 2, 2.5, 5, 10 })
            if (step * power >= value) return step * power;
        return 10 * power;
    }
}

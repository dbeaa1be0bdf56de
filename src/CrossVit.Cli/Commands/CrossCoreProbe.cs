using System.Text.Json;
using CrossVit.Runtime.Threading;

namespace CrossVit.Cli.Commands;

/// <summary>
/// <see cref="CrossCoreCost"/> on both sides of a command's timed runs, as <c>bench</c> and <c>profile</c> report it:
/// on two threads or more a virtual machine's timings depend on where the host has put the vCPUs (docs/performance.md,
/// "Two threads and the host").
/// </summary>
internal static class CrossCoreProbe
{
    /// <summary>Runs <paramref name="timedRuns"/>, between two probes on two threads or more; the probes, or null on one thread.</summary>
    public static CrossCoreCost[]? Around(int threads, Action timedRuns)
    {
        if (threads < 2)
        {
            timedRuns();
            return null;
        }
        var before = CrossCoreCost.Measure();
        timedRuns();
        return [before, CrossCoreCost.Measure()];
    }

    /// <summary>The <c>cores</c> line, when there were probes.</summary>
    public static void Print(CrossCoreCost[]? cores)
    {
        if (cores is not [var before, var after]) return;
        Console.WriteLine($"cores     round trip {before.RoundTripMicroseconds:F2} us, 64 KB hand-over {before.HandOverMicroseconds:F2} us before the runs; " +
            $"{after.RoundTripMicroseconds:F2} us, {after.HandOverMicroseconds:F2} us after: what two threads cost each other here");
    }

    /// <summary><c>round_trip_us</c> and <c>hand_over_us</c> (before, after), when there were probes.</summary>
    public static void Write(Utf8JsonWriter w, CrossCoreCost[]? cores)
    {
        if (cores is null) return;
        WriteArray(w, "round_trip_us", cores.Select(c => c.RoundTripMicroseconds));
        WriteArray(w, "hand_over_us", cores.Select(c => c.HandOverMicroseconds));
    }

    private static void WriteArray(Utf8JsonWriter w, string name, IEnumerable<double> values)
    {
        w.WriteStartArray(name);
        foreach (double v in values) w.WriteNumberValue(Math.Round(v, 2));
        w.WriteEndArray();
    }
}

using System.Diagnostics;

namespace CrossVit.Cli;

/// <summary>Wall-clock milliseconds per named phase of a command, added up when a phase runs more than once.</summary>
internal sealed class Phases
{
    private readonly Dictionary<string, double> _milliseconds = [];

    public T Time<T>(string phase, Func<T> body)
    {
        long start = Stopwatch.GetTimestamp();
        try
        {
            return body();
        }
        finally
        {
            _milliseconds[phase] = _milliseconds.GetValueOrDefault(phase) + Stopwatch.GetElapsedTime(start).TotalMilliseconds;
        }
    }

    /// <summary>e.g. <c>load 21.3 ms, decode and preprocess 3.1 ms, forward 14.0 ms</c>.</summary>
    public override string ToString() => string.Join(", ", _milliseconds.Select(p => $"{p.Key} {p.Value:F1} ms"));
}

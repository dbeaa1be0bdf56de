using System.Diagnostics;

namespace CrossVit.Tests.Cli;

/// <summary>Runs the built <c>crossvit</c> CLI (copied beside the tests) as a separate process.</summary>
internal static class CliRunner
{
    /// <summary>The managed heap a bounded run may use: the most any command may take on malformed input.</summary>
    public const long BoundedHeapBytes = 1L << 30;

    public static (int ExitCode, string Stdout, string Stderr) Run(params string[] args) => Start(args, bounded: false).Result;

    /// <summary>The time a bounded run may take, start to exit: far above any command on malformed input.</summary>
    public static readonly TimeSpan BoundedTime = TimeSpan.FromSeconds(2);

    /// <summary>
    /// Runs with the GC heap capped at <see cref="BoundedHeapBytes"/> (DOTNET_GCHeapHardLimit; the runtime's memory checks
    /// see the cap as all there is), and returns how long the process took from start to exit. A run past
    /// <see cref="BoundedTime"/> is run once more, and the second one returned: a machine shared with other work can
    /// stall one run, where a command that hangs does it every time (as <c>FuzzHarness</c> treats a case).
    /// </summary>
    public static (int ExitCode, string Stdout, string Stderr, TimeSpan Elapsed) RunBounded(params string[] args)
    {
        var (result, elapsed) = Start(args, bounded: true);
        if (elapsed >= BoundedTime) (result, elapsed) = Start(args, bounded: true);
        return (result.ExitCode, result.Stdout, result.Stderr, elapsed);
    }

    private static ((int ExitCode, string Stdout, string Stderr) Result, TimeSpan Elapsed) Start(string[] args, bool bounded)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "crossvit.dll"));
        foreach (var a in args) start.ArgumentList.Add(a);
        if (bounded) start.Environment["DOTNET_GCHeapHardLimit"] = $"0x{BoundedHeapBytes:X}";
        long started = Stopwatch.GetTimestamp();
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromMinutes(2)))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"crossvit {string.Join(' ', args)} did not finish in 2 minutes");
        }
        var elapsed = Stopwatch.GetElapsedTime(started);
        return ((process.ExitCode, stdout.Result, stderr.Result), elapsed);
    }

    /// <summary>A fresh temporary directory, removed on dispose.</summary>
    public sealed class TempDir : IDisposable
    {
        public string Path { get; } = Directory.CreateTempSubdirectory("crossvit-tests-").FullName;
        public string this[string name] => System.IO.Path.Combine(Path, name);
        public void Dispose() => Directory.Delete(Path, recursive: true);
    }
}

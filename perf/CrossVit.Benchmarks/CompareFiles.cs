using System.Runtime.CompilerServices;

namespace CrossVit.Benchmarks;

/// <summary>
/// Where perf/compare/run.sh leaves each model's weights (MODEL.safetensors, written by <c>crossvit init --seed 0</c>)
/// and their ONNX export (MODEL.onnx, by export_onnx.py from the same file): CROSSVIT_COMPARE_WORK, else perf/compare/work.
/// </summary>
internal static class CompareFiles
{
    public static string Directory =>
        Environment.GetEnvironmentVariable("CROSSVIT_COMPARE_WORK") is { Length: > 0 } dir ? dir : Path.Combine(SourceFolder(), "..", "compare", "work");

    /// <summary>Path of <paramref name="model"/>'s file with <paramref name="extension"/>; throws, saying how to make it, when it is missing.</summary>
    public static string File(string model, string extension)
    {
        string path = Path.GetFullPath(Path.Combine(Directory, $"{model}.{extension}"));
        return System.IO.File.Exists(path)
            ? path
            : throw new FileNotFoundException($"{path} does not exist; expected perf/compare/run.sh --models {model} (or crossvit init and export_onnx.py) to have written it, or CROSSVIT_COMPARE_WORK to name the folder that holds it.", path);
    }

    /// <summary>
    /// Comma-separated integers from environment variable <paramref name="name"/>, else <paramref name="fallback"/>:
    /// BenchmarkDotNet runs each case in a child process, which inherits the variables.
    /// </summary>
    public static IEnumerable<string> List(string name, string fallback) =>
        (Environment.GetEnvironmentVariable(name) is { Length: > 0 } value ? value : fallback).Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    // This folder when the benchmarks were built; BenchmarkDotNet's child processes run from a generated folder.
    private static string SourceFolder([CallerFilePath] string file = "") => System.IO.Path.GetDirectoryName(file)!;
}

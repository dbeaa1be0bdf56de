using System.Text.Json.Nodes;
using CrossVit.Tests.Cli;
using Xunit;

namespace CrossVit.Tests.Fuzzing;

/// <summary>Timed cases: run alone, so that other tests' work on the two cores does not count against them.</summary>
[CollectionDefinition(nameof(CliSurfaceFuzzTests), DisableParallelization = true)]
public sealed class CliSurfaceCollection;

/// <summary>
/// Every number and every config value the CLI takes, set to hostile values (0, negative, 2³¹, 2⁶², NaN, ±1e400, text,
/// empty, huge lists): each case ends as a success or as one clean <c>crossvit: error:</c> line, within 2 s, with the heap
/// capped at 1 GiB, leaving no partial output.
/// </summary>
[Collection(nameof(CliSurfaceFuzzTests))]
public class CliSurfaceFuzzTests
{
    private static readonly string[] Numbers = ["0", "-1", "1", "2147483648", "-2147483649", "4611686018427387904", "NaN", "1e400", "abc", ""];

    public static TheoryData<string, string> Surface() => new()
    {
        { "classify", "--top" }, { "classify", "--threads" },
        { "preprocess", "--size" }, { "preprocess", "--crop-pct" },
        { "bench", "--batch" }, { "bench", "--threads" }, { "bench", "--warmup" }, { "bench", "--iterations" }, { "bench", "--branches" },
        { "profile", "--iterations" },   // profile takes bench's options (SessionRunOptions); one shows they are wired
        { "init", "--seed" },
        { "run", "--threads" },
    };

    [Theory]
    [MemberData(nameof(Surface))]
    public void EveryValueOfANumberOptionIsRefusedCleanlyOrRuns(string command, string option)
    {
        using var dir = new CliRunner.TempDir();
        foreach (string value in Numbers)
        {
            var (args, output) = Command(command, option, value, dir);
            var (code, _, stderr, elapsed) = CliRunner.RunBounded(args);
            AssertCleanEnd(args, code, stderr, elapsed);
            if (output is not null)
            {
                Assert.True(code == 0 || !File.Exists(output), $"crossvit {string.Join(' ', args)} failed but left {output}");
                File.Delete(output);
            }
            if (code != 0) Assert.Contains(option, stderr, StringComparison.Ordinal);
        }
    }

    public static TheoryData<string> ConfigFields() =>
    [
        "img_size", "patch_size", "in_channels", "num_classes", "embed_dim", "depth", "num_heads", "mlp_ratio",
        "qkv_bias", "qk_scale", "norm_eps", "crop_pct", "multi_conv", "global_pool", "interpolation", "mean", "std",
    ];

    private static readonly string[] ConfigValues =
    [
        "0", "-1", "2147483648", "4611686018427387904", "1e400", "-1e400", "NaN", "null", "\"x\"", "true", "[]", "{}",
        "[0, 0]", "[-1, -1]", "[2147483647, 2147483647]", "[1e400, 1]", "[[1, 10000000, 0]]", "[[1, 100000, 0], [1, 1, 0]]",
        "[65536, 65536]", "[4096, 4096]", "[" + string.Join(',', Enumerable.Repeat(1, 100_000)) + "]",
    ];

    [Theory]
    [MemberData(nameof(ConfigFields))]
    public void EveryHostileConfigValueIsRefusedCleanlyOrRuns(string field)
    {
        using var dir = new CliRunner.TempDir();
        var template = JsonNode.Parse(File.ReadAllText(TestData.Golden("mini_linear", "config.json")))!.AsObject();
        template[field] = "__value__";
        foreach (string value in ConfigValues)
        {
            File.WriteAllText(dir["config.json"], template.ToJsonString().Replace("\"__value__\"", value, StringComparison.Ordinal));
            string[] args = ["init", "--config", dir["config.json"], "--output", dir["w.safetensors"]];
            var (code, _, stderr, elapsed) = CliRunner.RunBounded(args);
            AssertCleanEnd([.. args, $"({field}: {value[..Math.Min(value.Length, 40)]})"], code, stderr, elapsed);
            if (code != 0) Assert.False(File.Exists(dir["w.safetensors"]), $"init failed on {field} = {value} but left its output");
            File.Delete(dir["w.safetensors"]);
        }
    }

    /// <summary>Exit 0, or exit 1 with one error line that names no code: no stack frame, type or parameter name.</summary>
    internal static void AssertCleanEnd(string[] args, int code, string stderr, TimeSpan elapsed)
    {
        string call = $"crossvit {string.Join(' ', args)}";
        Assert.True(elapsed < CliRunner.BoundedTime, $"{call} took {elapsed.TotalSeconds:F2} s, twice");
        Assert.True(code is 0 or 1, $"{call} exited with {code}: {stderr}");
        if (code == 0) return;
        var line = Assert.Single(stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("crossvit: error: ", line, StringComparison.Ordinal);
        foreach (string leak in (string[])["   at ", "(Parameter '", "System.", "CrossVit.", "Exception"])
            Assert.False(line.Contains(leak, StringComparison.Ordinal), $"{call} printed '{leak}': {line}");
    }

    private static (string[] Args, string? Output) Command(string command, string option, string value, CliRunner.TempDir dir)
    {
        string image = TestData.Golden("images", "chelsea.png");
        string[] mini = ["--weights", TestData.Golden("mini_linear", "weights.safetensors"), "--config", TestData.Golden("mini_linear", "config.json")];
        string? output = command switch { "preprocess" => dir["x.npy"], "init" => dir["w.safetensors"], "run" => dir["y.npy"], _ => null };
        string[] args = command switch
        {
            "classify" => ["classify", image, .. mini],
            "preprocess" => ["preprocess", image, "--output", output!, .. option == "--size" ? [] : (string[])["--size", "32"]],
            "bench" or "profile" => [command, "--model", "crossvit_tiny_240", .. Defaults(option, ("--iterations", "1"), ("--warmup", "0"))],
            "init" => ["init", "--config", TestData.Golden("mini_linear", "config.json"), "--output", output!],
            _ => ["run", .. mini, "--input", TestData.Golden("mini_linear", "input.npy"), "--output", output!],
        };
        return ([.. args, option, value], output);
    }

    /// <summary>The given options with their values, except the one being fuzzed.</summary>
    private static IEnumerable<string> Defaults(string fuzzed, params (string Option, string Value)[] defaults) =>
        defaults.Where(d => d.Option != fuzzed).SelectMany(d => new[] { d.Option, d.Value });
}

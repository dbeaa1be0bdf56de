using System.Reflection;
using CrossVit.Runtime.Config;
using CrossVit.Runtime.Kernels;
using CrossVit.Runtime.Model;
using CrossVit.Weights;
using Xunit;

namespace CrossVit.Tests.Cli;

public class CliTests
{
    [Fact]
    public void RunMatchesTimmOnAGoldenCase()
    {
        using var dir = new CliRunner.TempDir();
        var (code, _, stderr) = CliRunner.Run("run", "--weights", TestData.Golden("mini_fusion", "weights.safetensors"),
            "--config", TestData.Golden("mini_fusion", "config.json"), "--input", TestData.Golden("mini_fusion", "input.npy"),
            "--output", dir["y.npy"], "--threads", "2");
        Assert.True(code == 0, stderr);
        var y = Npy.Read(dir["y.npy"]);
        Assert.Equal([2, 10], y.Shape);
        TestData.AssertClose(TestData.Array("mini_fusion", "logits.npy").ToFloat32(), y.ToFloat32(), "crossvit run");
    }

    [Fact]
    public void InitThenInspectThenRunWithTheConfigFromMetadata()
    {
        using var dir = new CliRunner.TempDir();
        var (code, stdout, stderr) = CliRunner.Run("init", "--config", TestData.Golden("mini_dagger", "config.json"), "--seed", "7", "--output", dir["w.safetensors"]);
        Assert.True(code == 0, stderr);
        Assert.Contains($"{CheckpointLayout.ParameterCount(TestData.Config("mini_dagger")):N0} parameters", stdout, StringComparison.Ordinal);

        (code, stdout, stderr) = CliRunner.Run("inspect", dir["w.safetensors"]);
        Assert.True(code == 0, stderr);
        Assert.Contains("patch_embed.0.proj.4.weight", stdout, StringComparison.Ordinal);
        Assert.Contains("parameters: 281,156", stdout, StringComparison.Ordinal);
        Assert.Contains("matches preset: none", stdout, StringComparison.Ordinal);

        (code, _, stderr) = CliRunner.Run("run", "--weights", dir["w.safetensors"], "--input", TestData.Golden("mini_dagger", "input.npy"), "--output", dir["y.npy"]);
        Assert.True(code == 0, stderr);
        var expected = CrossVitModel.Load(TestData.Config("mini_dagger"), dir["w.safetensors"]);
        var input = TestData.Array("mini_dagger", "input.npy");
        Assert.Equal(expected.Run(input.ToFloat32(), 2, 96, 96), Npy.Read(dir["y.npy"]).ToFloat32());
    }

    [Fact]
    public void InspectNamesThePresetAFileMatches()
    {
        var (code, stdout, stderr) = CliRunner.Run("inspect", TestData.Golden("crossvit_9_dagger_240", "weights.safetensors"));
        Assert.True(code == 0, stderr);
        Assert.Contains("parameters: 8,776,592", stdout, StringComparison.Ordinal);
        Assert.Contains("matches preset: crossvit_9_dagger_240", stdout, StringComparison.Ordinal);
        Assert.Contains("F16", stdout, StringComparison.Ordinal);
    }

    [Fact]
    public void VersionPrintsTheVersionAndTheIsaTheKernelsUse()
    {
        var (code, stdout, stderr) = CliRunner.Run("--version");
        Assert.True(code == 0, stderr);
        // The CLI and the libraries share one version (Directory.Build.props).
        var version = typeof(CrossVitModel).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()!.InformationalVersion;
        var isa = IsaSupport.Resolve(null).ToString().ToLowerInvariant();
        Assert.Equal($"crossvit {version}\nisa {isa}\n", stdout);
    }

    public static TheoryData<string[], string> Mistakes() => new()
    {
        { ["run", "--weights", "/nonexistent.safetensors", "--model", "crossvit_9_240", "--input", "x.npy", "--output", "y.npy"], "does not exist" },
        { ["run", "--weights", TestData.Golden("mini_linear", "weights.safetensors"), "--model", "crossvit_9_240", "--input", TestData.Golden("mini_linear", "input.npy"), "--output", "/tmp/y.npy"], "does not match the config" },
        { ["run", "--weights", TestData.Golden("mini_linear", "weights.safetensors"), "--config", TestData.Golden("mini_linear", "config.json"), "--input", TestData.Golden("images", "chelsea.png.rgb.npy"), "--output", "/tmp/y.npy"], "expected float32 NCHW" },
        { ["run", "--weights", TestData.Golden("mini_linear", "weights.safetensors"), "--input", TestData.Golden("mini_linear", "input.npy"), "--output", "/tmp/y.npy"], "carries no CrossViT config" },
        { ["run", "--weights", TestData.Golden("mini_linear", "config.json"), "--model", "crossvit_9_240", "--input", TestData.Golden("mini_linear", "input.npy"), "--output", "/tmp/y.npy"], "safetensors" },
        { ["init", "--model", "crossvit_99", "--output", "/tmp/w.safetensors"], "Unknown CrossViT model" },
        { ["inspect", TestData.Golden("mini_linear", "input.npy")], "safetensors" },
        { ["bench"], "Give --model NAME" },
        { ["bench", "--model", "crossvit_9_dagger_240", "--batch", "0"], "--batch 0 is out of range; expected 1 to 1024" },
        { ["bench", "--model", "crossvit_9_dagger_240", "--threads", "1", "--branches", "concurrent"], "needs Threads ≥ 2, not 1" },
    };

    [Theory]
    [MemberData(nameof(Mistakes))]
    public void UserMistakesPrintOneLineAndExitNonZero(string[] args, string message)
    {
        var (code, _, stderr) = CliRunner.Run(args);
        Assert.NotEqual(0, code);
        var lines = stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Single(lines);
        Assert.Contains(message, lines[0], StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("   at ", stderr, StringComparison.Ordinal);  // a stack frame
    }
}

using System.Text.Json;
using System.Xml.Linq;
using CrossVit.Runtime.Config;
using CrossVit.Runtime.Engine;
using CrossVit.Runtime.Model;
using CrossVit.Runtime.Profiling;
using Xunit;

namespace CrossVit.Tests.Cli;

/// <summary><c>crossvit profile</c>: the table, the JSON line a script reads, and the SVG chart.</summary>
public class ProfileCommandTests
{
    [Fact]
    public void PrintsEveryKindThenOneJsonLineAndWritesTheChart()
    {
        string svg = Path.Combine(Path.GetTempPath(), $"crossvit-profile-{Guid.NewGuid():N}.svg");
        try
        {
            // Sequential branches and shared images, so the parts cannot add up to more than the pass (checked below).
            var (code, stdout, stderr) = CliRunner.Run("profile", "--model", "crossvit_9_dagger_240", "--batch", "2", "--threads", "2",
                "--branches", "sequential", "--images", "shared", "--warmup", "1", "--iterations", "2", "--by-layer", "--json", "--svg", svg);
            Assert.True(code == 0, stderr);
            Assert.Matches(@"model crossvit_9_dagger_240, batch 2, threads 2, isa \w+, 2 runs profiled", stdout);
            Assert.DoesNotContain("overlap:", stdout, StringComparison.Ordinal);
            Assert.DoesNotContain("image wait", stdout, StringComparison.Ordinal);
            foreach (var kind in OpKinds.All) Assert.Contains($"\n{OpKinds.Label(kind)} ", stdout, StringComparison.Ordinal);
            Assert.Contains("blocks.0.blocks.1.0.attn.qkv (qkv)", stdout, StringComparison.Ordinal);
            Assert.Matches(@"cores     round trip [0-9.]+ us, 64 KB hand-over [0-9.]+ us before the runs; [0-9.]+ us, [0-9.]+ us after", stdout);

            using var json = JsonDocument.Parse(stdout.TrimEnd().Split('\n')[^1]);
            var r = json.RootElement;
            Assert.Equal(2, r.GetProperty("batch").GetInt32());
            Assert.Equal(2, r.GetProperty("runs").GetInt32());
            Assert.Equal(0, r.GetProperty("image_wait_ms").GetDouble());
            Assert.Equal(2, r.GetProperty("hand_over_us").GetArrayLength());
            var kinds = r.GetProperty("kinds").EnumerateArray().ToList();
            Assert.Equal(OpKinds.All.Select(OpKinds.Id), kinds.Select(k => k.GetProperty("kind").GetString()));
            long macs = 2 * ModelCost.MultiplyAdds(Presets.Get("crossvit_9_dagger_240"));
            Assert.Equal(macs, r.GetProperty("multiply_adds").GetInt64());
            Assert.Equal(macs, kinds.Sum(k => k.GetProperty("multiply_adds").GetInt64()));
            double pass = r.GetProperty("pass_ms").GetDouble(), parts = kinds.Sum(k => k.GetProperty("ms").GetDouble());
            Assert.InRange(parts / pass, 0.9, 1.0001);
            Assert.All(kinds, k => Assert.True(k.GetProperty("calls").GetDouble() > 0, k.ToString()));
            // The wait's parts add up to it, to the rounding of four digits.
            Assert.All(kinds, k => Assert.Equal(k.GetProperty("wait_ms").GetDouble(),
                k.GetProperty("wait_start_ms").GetDouble() + k.GetProperty("wait_uneven_ms").GetDouble() + k.GetProperty("wait_join_ms").GetDouble(), 3e-4));
            Assert.Matches(@"\nop kind +calls +ms/pass +share +GFLOP/s +of peak +GB/s +wait ms +start +uneven +join\n", stdout);
            var norm = kinds.Single(k => k.GetProperty("kind").GetString() == "layer_norm");
            Assert.True(norm.GetProperty("gbps").GetDouble() > 0 && norm.GetProperty("gflops").ValueKind == JsonValueKind.Null, norm.ToString());
            var fc2 = kinds.Single(k => k.GetProperty("kind").GetString() == "fc2");
            Assert.True(fc2.GetProperty("peak_fraction").GetDouble() > 0 && fc2.GetProperty("gbps").ValueKind == JsonValueKind.Null, fc2.ToString());
            Assert.Equal(r.GetProperty("peak_gflops").GetDouble() * fc2.GetProperty("peak_fraction").GetDouble(), fc2.GetProperty("gflops").GetDouble(),
                0.01 * fc2.GetProperty("gflops").GetDouble() + 0.1);
            Assert.Contains(r.GetProperty("layers").EnumerateArray(), l => l.GetProperty("layer").GetString() == "head.1");

            var chart = XDocument.Load(svg).Root!;
            Assert.Equal("svg", chart.Name.LocalName);
            var labels = chart.Descendants().Where(e => e.Name.LocalName == "text").Select(e => e.Value).ToList();
            foreach (var kind in OpKinds.All) Assert.Contains(OpKinds.Label(kind), labels);
            Assert.DoesNotContain("image wait (other workers)", labels);
        }
        finally
        {
            File.Delete(svg);
        }
    }

    [Fact]
    public void SaysWhenConcurrentBranchesOverlap()
    {
        var (code, stdout, stderr) = CliRunner.Run("profile", "--model", "crossvit_tiny_240", "--threads", "2", "--branches", "concurrent",
            "--warmup", "0", "--iterations", "1");
        Assert.True(code == 0, stderr);
        Assert.Contains("branches  embedding 1+1; blocks 1+1 1+1 1+1; fusion 1+1 1+1 1+1", stdout, StringComparison.Ordinal);
        Assert.Contains("overlap: where branches run side by side (n+m)", stdout, StringComparison.Ordinal);
    }

    [Fact]
    public void SaysWhenImagesRunPerWorkerAndShowsTheirWait()
    {
        string svg = Path.Combine(Path.GetTempPath(), $"crossvit-profile-{Guid.NewGuid():N}.svg");
        try
        {
            var (code, stdout, stderr) = CliRunner.Run("profile", "--model", "crossvit_tiny_240", "--batch", "5", "--threads", "2",
                "--warmup", "0", "--iterations", "1", "--json", "--svg", svg);
            Assert.True(code == 0, stderr);
            Assert.Contains("images    2 per worker, 1 shared", stdout, StringComparison.Ordinal);
            Assert.Contains("per worker: each worker's operations count 1/2 of their time", stdout, StringComparison.Ordinal);
            Assert.Matches(@"\nimage wait \(other workers\) +[0-9.]+ +[0-9.]+ %\n", stdout);
            using var json = JsonDocument.Parse(stdout.TrimEnd().Split('\n')[^1]);
            var r = json.RootElement;
            Assert.Equal(2, r.GetProperty("images_per_worker").GetInt32());
            Assert.InRange(r.GetProperty("image_wait_ms").GetDouble(), 0, r.GetProperty("pass_ms").GetDouble());
            var labels = XDocument.Load(svg).Root!.Descendants().Where(e => e.Name.LocalName == "text").Select(e => e.Value).ToList();
            Assert.Contains("image wait (other workers)", labels);
        }
        finally
        {
            File.Delete(svg);
        }
    }

    [Theory]
    [InlineData("Give --model NAME", "profile")]
    [InlineData("--iterations 0 is out of range; expected 1 to 100000", "profile", "--model", "crossvit_tiny_240", "--iterations", "0")]
    [InlineData("--svg '/nonexistent-folder/p.svg': the folder '/nonexistent-folder' does not exist.", "profile", "--model", "crossvit_tiny_240", "--svg", "/nonexistent-folder/p.svg")]
    public void RefusesMistakesInOneLine(string message, params string[] args)
    {
        var (code, stdout, stderr) = CliRunner.Run(args);
        Assert.Equal(1, code);
        Assert.Contains(message, stderr, StringComparison.Ordinal);
        Assert.Equal("", stdout);
    }
}

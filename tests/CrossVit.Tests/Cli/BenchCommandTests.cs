using System.Text.Json;
using System.Text.RegularExpressions;
using CrossVit.Runtime.Config;
using CrossVit.Runtime.Model;
using Xunit;

namespace CrossVit.Tests.Cli;

/// <summary><c>crossvit bench</c>: what it prints, and the JSON line a script reads.</summary>
public class BenchCommandTests
{
    [Fact]
    public void PrintsLatencyThroughputAllocationsAndScheduleThenOneJsonLine()
    {
        var (code, stdout, stderr) = CliRunner.Run("bench", "--model", "crossvit_9_dagger_240", "--batch", "2", "--threads", "2",
            "--warmup", "1", "--iterations", "3", "--json");
        Assert.True(code == 0, stderr);
        Assert.Matches(@"model crossvit_9_dagger_240, batch 2, threads 2, isa \w+, 3 runs", stdout);
        Assert.Matches(@"latency\s+median [0-9.]+ ms\s+p90 [0-9.]+ ms\s+min [0-9.]+ ms", stdout);
        Assert.Matches(@"throughput [0-9.]+ images/s\s+[0-9.]+ GFLOP/s \([0-9]+ ?% of peak\)", stdout);
        Assert.Matches(@"peak      [0-9.]+ GFLOP/s: a plain FMA loop on 2 threads here; no run can beat [0-9.]+ ms", stdout);
        Assert.Matches(@"cores     round trip [0-9.]+ us, 64 KB hand-over [0-9.]+ us before the runs; [0-9.]+ us, [0-9.]+ us after", stdout);
        Assert.True(stdout.Contains("allocated 0 bytes per run", StringComparison.Ordinal), stdout);
        // Batch 2 on two threads: an image on each, whose branches run one after another.
        Assert.Contains("images    1 per worker, 0 shared", stdout, StringComparison.Ordinal);
        Assert.Contains("branches  embedding seq; blocks seq seq seq; fusion seq seq seq", stdout, StringComparison.Ordinal);

        using var json = JsonDocument.Parse(stdout.TrimEnd().Split('\n')[^1]);
        var r = json.RootElement;
        Assert.Equal("crossvit_9_dagger_240", r.GetProperty("model").GetString());
        Assert.Equal(2, r.GetProperty("batch").GetInt32());
        Assert.Equal(2, r.GetProperty("threads").GetInt32());
        Assert.Contains(r.GetProperty("isa").GetString(), new[] { "avx512", "avx2", "neon", "v128", "scalar" });
        double min = r.GetProperty("min_ms").GetDouble(), median = r.GetProperty("median_ms").GetDouble(), p90 = r.GetProperty("p90_ms").GetDouble();
        Assert.True(0 < min && min <= median && median <= p90, $"min {min}, median {median}, p90 {p90}");
        Assert.Equal(2 * 1000 / median, r.GetProperty("images_per_s").GetDouble(), 0.01);
        Assert.Equal(0, r.GetProperty("allocated_bytes_per_run").GetInt64());
        double gflops = 2.0 * 2 * ModelCost.MultiplyAdds(Presets.Get("crossvit_9_dagger_240")) / (median / 1000) / 1e9;
        Assert.Equal(gflops, r.GetProperty("gflops").GetDouble(), 0.001 * gflops);
        Assert.True(r.GetProperty("peak_gflops").GetDouble() > 0, stdout);
        foreach (var probe in new[] { "round_trip_us", "hand_over_us" })
        {
            var values = r.GetProperty(probe).EnumerateArray().Select(v => v.GetDouble()).ToArray();
            Assert.True(values.Length == 2 && values.All(v => v > 0), $"{probe}: {string.Join(", ", values)}");
        }
        Assert.Equal(1, r.GetProperty("images_per_worker").GetInt32());
        Assert.Equal("embedding seq; blocks seq seq seq; fusion seq seq seq", r.GetProperty("branches").GetString());
    }

    [Fact]
    public void SharedImagesRunEveryImageOnAllThreads()
    {
        var (code, stdout, stderr) = CliRunner.Run("bench", "--model", "crossvit_tiny_240", "--batch", "3", "--threads", "2", "--images", "shared",
            "--warmup", "0", "--iterations", "1", "--json");
        Assert.True(code == 0, stderr);
        Assert.Contains("images    0 per worker, 3 shared", stdout, StringComparison.Ordinal);
        using var json = JsonDocument.Parse(stdout.TrimEnd().Split('\n')[^1]);
        Assert.Equal(0, json.RootElement.GetProperty("images_per_worker").GetInt32());
    }

    [Fact]
    public void OneThreadHasNoCrossCoreProbe()
    {
        var (code, stdout, stderr) = CliRunner.Run("bench", "--model", "crossvit_tiny_240", "--threads", "1", "--warmup", "0", "--iterations", "1", "--json");
        Assert.True(code == 0, stderr);
        Assert.DoesNotContain("cores ", stdout, StringComparison.Ordinal);
        using var json = JsonDocument.Parse(stdout.TrimEnd().Split('\n')[^1]);
        Assert.False(json.RootElement.TryGetProperty("hand_over_us", out _), stdout);
        Assert.False(json.RootElement.TryGetProperty("round_trip_us", out _), stdout);
    }

    [Fact]
    public void ConcurrentBranchesGiveEveryPartOneGroupPerBranch()
    {
        var (code, stdout, stderr) = CliRunner.Run("bench", "--model", "crossvit_9_dagger_240", "--threads", "3", "--branches", "concurrent",
            "--warmup", "0", "--iterations", "1", "--json");
        Assert.True(code == 0, stderr);
        var line = Regex.Match(stdout, @"branches  (embedding (\d+\+\d+); blocks (\d+\+\d+) (\d+\+\d+) (\d+\+\d+); fusion (\d+\+\d+) (\d+\+\d+) (\d+\+\d+))\n");
        Assert.True(line.Success, stdout);
        foreach (var part in line.Groups.Values.Skip(2))
            Assert.Equal(3, part.Value.Split('+').Sum(int.Parse));
        string last = stdout.TrimEnd().Split('\n')[^1];
        Assert.Contains($"\"branches\":\"{line.Groups[1].Value}\"", last, StringComparison.Ordinal);   // "+" as is, not \u002B
    }
}

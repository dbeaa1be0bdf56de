extern alias cli;
using System.CommandLine;
using System.Diagnostics;
using cli::CrossVit.Cli;
using CrossVit.Runtime.Config;
using CrossVit.Tests.Fuzzing;
using Xunit;

namespace CrossVit.Tests.Cli;

/// <summary>
/// One test per class of hostile input the CLI once mishandled: each ends as one clean error line, quickly, in bounded
/// memory, with no partial output. The timed ones share <see cref="CliSurfaceFuzzTests"/>' collection, which runs alone.
/// </summary>
[Collection(nameof(CliSurfaceFuzzTests))]
public class HostileInputTests
{
    private static readonly string Image = TestData.Golden("images", "chelsea.png");

    private static void AssertRefused(string mentions, params string[] args)
    {
        var (code, stdout, stderr, elapsed) = CliRunner.RunBounded(args);
        CliSurfaceFuzzTests.AssertCleanEnd(args, code, stderr, elapsed);
        Assert.True(code == 1, $"crossvit {string.Join(' ', args)} succeeded: {stdout}");
        Assert.Contains(mentions, stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void HugeConfigDimensionsAreRefusedNamingTheFieldAndItsBound()
    {
        using var dir = new CliRunner.TempDir();
        var cases = new (string Json, string Mentions)[]
        {
            ("\"embed_dim\": [1048576, 2097152]", $"embed_dim is 1048576; expected an integer from 1 to {ConfigLimits.MaxEmbedDim}"),
            ("\"img_size\": [60000, 60000], \"patch_size\": [1, 1]", $"img_size is 60000; expected an integer from 1 to {ConfigLimits.MaxImgSize}"),
            ("\"depth\": [[1, 10000000, 0]]", $"depth adds up to 10000001 blocks; at most {ConfigLimits.MaxBlocks}"),
            ("\"img_size\": [4096, 4096], \"patch_size\": [16, 16]", $"at most {ConfigLimits.MaxTokens - 1} are supported"),
            ("\"num_classes\": 1000000", $"num_classes is 1000000; expected an integer from 0 to {ConfigLimits.MaxClasses}"),
            // Within every limit, but 41.6 billion parameters.
            ("\"embed_dim\": [8192, 8192], \"num_heads\": [8, 8], \"depth\": [[1, 60, 0]]", "parameters; at most 2,147,483,647"),
            // Within every limit, but ~1.6 GiB of weights: more than the 1 GiB heap of a bounded run.
            ("\"embed_dim\": [4096, 4096], \"num_heads\": [8, 8], \"depth\": [[1, 1, 0]]", "this process can use 1.00 GiB"),
        };
        foreach (var (json, mentions) in cases)
        {
            File.WriteAllText(dir["c.json"], MiniConfigWith(json));
            AssertRefused(mentions, "init", "--config", dir["c.json"], "--output", dir["w.safetensors"]);
            Assert.False(File.Exists(dir["w.safetensors"]));
        }
    }

    [Fact]
    public void NumbersOutsideTheirRangeAreRefusedNamingOptionValueAndRange()
    {
        AssertRefused("--size 46341 is out of range; expected 1 to 4096", "preprocess", Image, "--size", "46341", "--output", "/tmp/never.npy");
        AssertRefused("--size 20000 is out of range", "preprocess", Image, "--size", "20000", "--output", "/tmp/never.npy");
        AssertRefused($"--threads 1000 is out of range; expected 1 to {4 * Environment.ProcessorCount}", "bench", "--model", "crossvit_tiny_240", "--threads", "1000");
        AssertRefused("--top abc is not a whole number", "classify", Image, "--top", "abc");
        AssertRefused("--branches foo is not a schedule; expected auto, sequential or concurrent", "bench", "--model", "crossvit_tiny_240", "--branches", "foo");
        AssertRefused("--images 2 is not a schedule; expected perworker or shared", "profile", "--model", "crossvit_tiny_240", "--images", "2");
        AssertRefused("See 'crossvit bench --help'", "bench", "--threads", "0");
        AssertRefused("Unrecognized command or argument 'frobnicate'", "frobnicate");
        Assert.False(File.Exists("/tmp/never.npy"));
    }

    [Fact]
    public void InputsMustBeRegularFilesAndAreNotReadPastTheirCap()
    {
        using var dir = new CliRunner.TempDir();
        AssertRefused("is empty or not a regular file", "init", "--config", "/dev/zero", "--output", dir["w.safetensors"]);
        AssertRefused("is empty or not a regular file", "classify", "/dev/zero");
        AssertRefused("is empty or not a regular file", "preprocess", "/dev/zero", "--size", "32", "--output", dir["x.npy"]);
        AssertRefused($"'{dir.Path}' is a directory; expected a file", "classify", dir.Path);

        // A FIFO would block a reader until a writer comes: it is refused unopened.
        Process.Start("mkfifo", dir["fifo"])!.WaitForExit();
        AssertRefused("is empty or not a regular file", "run", "--weights", TestData.Golden("mini_linear", "weights.safetensors"),
            "--config", dir["fifo"], "--input", TestData.Golden("mini_linear", "input.npy"), "--output", dir["y.npy"]);

        // Sparse files: big on paper, cheap on disk. Only a few bytes of each are read.
        using (var image = File.Create(dir["huge.png"]))
        {
            image.Write(File.ReadAllBytes(Image).AsSpan(0, 64));
            image.SetLength(1_500_000_000);
        }
        AssertRefused("the decode limit is 536870912 bytes", "preprocess", dir["huge.png"], "--size", "32", "--output", dir["x.npy"]);
        using (var config = File.Create(dir["huge.json"])) config.SetLength(3L << 30);
        AssertRefused($"has more than {CrossVitConfigJson.MaxFileBytes} bytes", "init", "--config", dir["huge.json"], "--output", dir["w.safetensors"]);
        Assert.Empty(Directory.GetFiles(dir.Path, "*.npy").Concat(Directory.GetFiles(dir.Path, "*.safetensors")));
    }

    [Fact]
    public void OutputsAreCheckedFirstAndNeverLeftHalfWritten()
    {
        using var dir = new CliRunner.TempDir();
        AssertRefused($"--output '{dir.Path}' is a directory; expected the path of a file to write", "preprocess", Image, "--size", "32", "--output", dir.Path);
        AssertRefused("the folder", "preprocess", Image, "--size", "32", "--output", dir["missing/x.npy"]);

        // A failing command leaves an existing good output as it was.
        File.WriteAllText(dir["x.npy"], "good");
        File.WriteAllText(dir["bad.png"], "not an image");
        AssertRefused("Unrecognised image format", "preprocess", dir["bad.png"], "--size", "32", "--output", dir["x.npy"]);
        Assert.Equal("good", File.ReadAllText(dir["x.npy"]));

        // A successful one replaces it whole, leaving no temporary file beside it.
        var (code, _, stderr) = CliRunner.Run("preprocess", Image, "--size", "32", "--output", dir["x.npy"]);
        Assert.True(code == 0, stderr);
        Assert.Equal([1, 3, 32, 32], CrossVit.Weights.Npy.Read(dir["x.npy"]).Shape);
        Assert.Equal(["bad.png", "x.npy"], Directory.GetFiles(dir.Path).Select(Path.GetFileName).Order());
    }

    [Fact]
    public void ACheckpointOfAnotherModelGivesCountsAndTheFirstNamesOnly()
    {
        // crossvit_9_dagger_240's weights against crossvit_base_240: hundreds of wrong names and shapes.
        using var dir = new CliRunner.TempDir();
        var (code, _, stderr, elapsed) = CliRunner.RunBounded("run", "--weights", TestData.Golden("crossvit_9_dagger_240", "weights.safetensors"),
            "--model", "crossvit_base_240", "--input", TestData.Golden("crossvit_9_dagger_240", "input.npy"), "--output", dir["y.npy"]);
        CliSurfaceFuzzTests.AssertCleanEnd(["run"], code, stderr, elapsed);
        Assert.Equal(1, code);
        Assert.Contains("does not match the config", stderr, StringComparison.Ordinal);
        Assert.Matches(@"missing \(\d+\):", stderr);
        Assert.Matches(@"\.\.\. and \d+ more", stderr);
        Assert.True(stderr.Length < 4000, $"the mismatch error is {stderr.Length} characters");
    }

    [Fact]
    public void ClassifyReportsEachBadImageAndStillClassifiesTheOthers()
    {
        using var dir = new CliRunner.TempDir();
        File.WriteAllText(dir["bad.png"], "not an image");
        string[] args = ["classify", dir["bad.png"], Image, dir["missing.jpg"], "--weights", TestData.Golden("mini_linear", "weights.safetensors"),
            "--config", TestData.Golden("mini_linear", "config.json"), "--top", "1", "--json"];
        var (code, stdout, stderr) = CliRunner.Run(args);
        Assert.Equal(1, code);
        var answers = System.Text.Json.JsonDocument.Parse(stdout).RootElement.EnumerateArray().ToList();
        Assert.Equal([dir["bad.png"], Image, dir["missing.jpg"]], answers.Select(a => a.GetProperty("image").GetString()));
        Assert.Contains("Unrecognised image format", answers[0].GetProperty("error").GetString(), StringComparison.Ordinal);
        Assert.Single(answers[1].GetProperty("top").EnumerateArray());
        Assert.Contains("does not exist", answers[2].GetProperty("error").GetString(), StringComparison.Ordinal);
        var lines = stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(2, lines.Length);
        Assert.All(lines, l => Assert.StartsWith("crossvit: error: ", l, StringComparison.Ordinal));
    }

    [Fact]
    public void AllImagesBadEndsBeforeTheDemoModelIsBuiltOrAnnounced()
    {
        var (code, stdout, stderr) = CliRunner.Run("classify", "/nonexistent.png");
        Assert.Equal(1, code);
        Assert.Equal("", stdout);
        Assert.Equal("crossvit: error: The image file '/nonexistent.png' does not exist.", stderr.TrimEnd('\n'));
    }

    private static string MiniConfigWith(string fields)
    {
        var config = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(TestData.Golden("mini_linear", "config.json")))!.AsObject();
        foreach (var (key, value) in System.Text.Json.Nodes.JsonNode.Parse($"{{{fields}}}")!.AsObject().ToList())
            config[key] = value?.DeepClone();
        return config.ToJsonString();
    }
}

/// <summary>The last-resort guard, in process: an exception that is no user mistake is one line and exit code 70.</summary>
[Collection(nameof(CliSurfaceFuzzTests))]   // it redirects Console.Error
public class InternalErrorTests
{
    private static (int Code, string Stderr) Invoke(Exception thrown, params string[] args)
    {
        var failing = new Command("fail");
        failing.SetAction(int (_) => throw thrown);
        var root = new RootCommand { failing, CliError.Debug };
        var previous = Console.Error;
        using var error = new StringWriter();
        Console.SetError(error);
        try
        {
            return (CliError.Invoke(root, args), error.ToString());
        }
        finally
        {
            Console.SetError(previous);
        }
    }

    [Fact]
    public void ABugIsOneLineWithWhatToReportAndExitCode70()
    {
        var (code, stderr) = Invoke(new NullReferenceException("boom"), "fail");
        Assert.Equal(CliError.InternalError, code);
        var line = Assert.Single(stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("crossvit: internal error: NullReferenceException: boom", line, StringComparison.Ordinal);
        Assert.Contains("please report it", line, StringComparison.Ordinal);
        Assert.Contains("--debug", line, StringComparison.Ordinal);
    }

    [Fact]
    public void DebugAddsTheStackTrace()
    {
        var (code, stderr) = Invoke(new InvalidCastException("boom"), "fail", "--debug");
        Assert.Equal(CliError.InternalError, code);
        Assert.Contains("   at ", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void OutOfRangeArgumentsReachingTheGuardAreBugsButUserMistakesAreNot()
    {
        Assert.Equal(CliError.InternalError, Invoke(new ArgumentOutOfRangeException("x"), "fail").Code);
        var (code, stderr) = Invoke(new ArgumentException("Bad thing.", "embed_dim"), "fail");
        Assert.Equal(CliError.UserError, code);
        Assert.Equal("crossvit: error: Bad thing.", stderr.TrimEnd('\n'));
    }
}

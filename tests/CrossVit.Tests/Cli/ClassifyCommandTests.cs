using System.Reflection;
using System.Text.Json;
using CrossVit.Imaging;
using CrossVit.Runtime.Config;
using CrossVit.Runtime.Model;
using CrossVit.Weights;
using Xunit;

namespace CrossVit.Tests.Cli;

public class ClassifyCommandTests
{
    private static readonly string[] Images =
        [.. new[] { "chelsea.png", "hubble_deep_field.jpg", "astronaut_progressive.jpg" }.Select(n => TestData.Golden("images", n))];

    private sealed record Answer(string Image, (int Index, string Label, double Probability)[] Top);

    [Fact]
    public void TextNamesClassesByIndexForNonImageNetHeads()
    {
        var (code, stdout, stderr) = CliRunner.Run(["classify", Images[0], .. MiniDagger(), "--top", "3"]);
        Assert.True(code == 0, stderr);
        Assert.Equal("", stderr);  // no progress line when stderr is redirected
        var lines = stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(4, lines.Length);
        Assert.Equal(Images[0], lines[0]);
        for (int rank = 1; rank <= 3; rank++)
            Assert.Matches($@"^  {rank}\. class (\d) \(\1\) 0\.\d{{4}}$", lines[rank]);
    }

    [Fact]
    public void JsonHasTheModelsTopKInOrderWithTheConfigsCropPct()
    {
        using var dir = new CliRunner.TempDir();
        // A crop_pct other than the default shows that classify takes it from the config.
        var config = TestData.Config("mini_dagger") with { CropPct = 0.95 };
        File.WriteAllText(dir["config.json"], CrossVitConfigJson.Write(config));
        var (code, stdout, stderr) = CliRunner.Run("classify", Images[1], "--weights", TestData.Golden("mini_dagger", "weights.safetensors"),
            "--config", dir["config.json"], "--top", "4", "--json");
        Assert.True(code == 0, stderr);

        var answer = Assert.Single(ParseJson(stdout));
        Assert.Equal(Images[1], answer.Image);
        Assert.Equal(4, answer.Top.Length);
        Assert.True(answer.Top.Zip(answer.Top.Skip(1)).All(p => p.First.Probability >= p.Second.Probability), "not sorted by probability");
        Assert.True(answer.Top.Sum(t => t.Probability) <= 1 + 1e-9);

        var model = CrossVitModel.Load(config, TestData.Golden("mini_dagger", "weights.safetensors"));
        var input = Preprocess.TimmEval(ImageDecoder.Load(Images[1]), 96, 0.95, Normalization.ImageNet);
        var expected = Softmax(model.Run(input, 1, 96, 96));
        foreach (var (index, label, probability) in answer.Top)
        {
            Assert.Equal($"class {index}", label);
            Assert.Equal(expected[index], probability, 1e-5);
        }
        Assert.Equal(expected.Max(), answer.Top[0].Probability, 1e-5);
    }

    [Fact]
    public void AOneChannelModelClassifiesTheImageInGrayscale()
    {
        using var dir = new CliRunner.TempDir();
        var config = TestData.Config("mini_dagger") with { InChannels = 1, Mean = [0.45], Std = [0.25] };
        File.WriteAllText(dir["config.json"], CrossVitConfigJson.Write(config));
        var (code, _, stderr) = CliRunner.Run("init", "--config", dir["config.json"], "--output", dir["w.safetensors"], "--seed", "5");
        Assert.True(code == 0, stderr);
        (code, var stdout, stderr) = CliRunner.Run("classify", Images[2], "--weights", dir["w.safetensors"], "--config", dir["config.json"], "--json");
        Assert.True(code == 0, stderr);

        using var model = CrossVitModel.Load(config, dir["w.safetensors"]);
        var input = Preprocess.TimmEval(ImageDecoder.Load(Images[2]), 96, config.CropPct, new Normalization([0.45f], [0.25f]));
        var expected = Softmax(model.Run(input, 1, 96, 96));
        var answer = Assert.Single(ParseJson(stdout));
        Assert.Equal(Array.IndexOf(expected, expected.Max()), answer.Top[0].Index);
        foreach (var (index, _, probability) in answer.Top) Assert.Equal(expected[index], probability, 1e-5);
    }

    [Fact]
    public void SeveralImagesGiveTheSameAnswersAsOneByOne()
    {
        var (code, stdout, stderr) = CliRunner.Run(["classify", .. Images, .. MiniDagger(), "--json", "--top", "10"]);
        Assert.True(code == 0, stderr);
        var together = ParseJson(stdout);
        Assert.Equal(Images, together.Select(a => a.Image));
        for (int i = 0; i < Images.Length; i++)
        {
            (code, stdout, stderr) = CliRunner.Run(["classify", Images[i], .. MiniDagger(), "--json", "--top", "10"]);
            Assert.True(code == 0, stderr);
            var alone = Assert.Single(ParseJson(stdout));
            Assert.Equal(alone.Top.Select(t => t.Index), together[i].Top.Select(t => t.Index));
            foreach (var (a, b) in alone.Top.Zip(together[i].Top)) Assert.Equal(a.Probability, b.Probability, 1e-6);
        }
    }

    [Fact]
    public void ModelDirReadsTheHuggingFaceLayoutAndNamesImageNetClasses()
    {
        using var dir = new CliRunner.TempDir();
        File.WriteAllText(dir["config.json"],
            """{"architecture": "crossvit_9_dagger_240", "num_classes": 1000, "pretrained_cfg": {"crop_pct": 0.875}}""");
        RandomWeights.Create(Presets.Get("crossvit_9_dagger_240"), seed: 3, DType.F16).Save(dir["model.safetensors"]);
        var (code, stdout, stderr) = CliRunner.Run("classify", Images[0], "--model-dir", dir.Path, "--json", "--threads", "2");
        Assert.True(code == 0, stderr);
        Assert.Equal("", stderr);  // trained-or-not notice only for the built-in model

        var labels = ImageNetLabels();
        var answer = Assert.Single(ParseJson(stdout));
        Assert.Equal(5, answer.Top.Length);
        foreach (var (index, label, _) in answer.Top) Assert.Equal(labels[index], label);
    }

    [Fact]
    public void WithoutWeightsRunsTheDemoModelAndSaysItIsUntrained()
    {
        var (code, stdout, stderr) = CliRunner.Run("classify", Images[0]);
        Assert.True(code == 0, stderr);
        var lines = stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(6, lines.Length);
        Assert.All(lines.Skip(1), l => Assert.Matches(@"^  \d\. .+ \(\d+\) 0\.\d{4}$", l));
        Assert.Contains("mean nothing", stderr, StringComparison.Ordinal);
        Assert.Contains("timm/crossvit_9_dagger_240.in1k", stderr, StringComparison.Ordinal);
        Assert.Contains("--model-dir", stderr, StringComparison.Ordinal);
    }

    public static TheoryData<string, string> CorruptImages() => new()
    {
        { "truncated.png", "png" },
        { "truncated.jpg", "jpeg" },
        { "text.png", "unrecognised" },
    };

    [Theory]
    [MemberData(nameof(CorruptImages))]
    public void ACorruptImageGetsAnErrorLineOfItsOwnWhileTheOthersAreClassified(string name, string message)
    {
        using var dir = new CliRunner.TempDir();
        byte[] bytes = name switch
        {
            "truncated.png" => File.ReadAllBytes(Images[0])[..200],
            "truncated.jpg" => File.ReadAllBytes(Images[1])[..2000],
            _ => "not an image"u8.ToArray(),
        };
        File.WriteAllBytes(dir[name], bytes);
        var (code, stdout, stderr) = CliRunner.Run(["classify", dir[name], Images[0], .. MiniDagger(), "--top", "2"]);
        Assert.Equal(1, code);
        var alone = CliRunner.Run(["classify", Images[0], .. MiniDagger(), "--top", "2"]);
        Assert.Equal(0, alone.ExitCode);
        Assert.Equal(alone.Stdout, stdout);   // the good image's answer, as when classified alone
        var line = Assert.Single(stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith($"crossvit: error: {dir[name]}: ", line, StringComparison.Ordinal);
        Assert.Contains(message, line, StringComparison.OrdinalIgnoreCase);
    }

    public static TheoryData<string[], string> Mistakes() => new()
    {
        { ["classify", "/nonexistent.png", .. MiniDagger()], "image file '/nonexistent.png' does not exist" },
        { ["classify", Images[0], .. MiniDagger(), "--top", "0"], "--top 0 is out of range; expected 1 to 100000" },
        { ["classify", Images[0], "--model", "crossvit_9_240"], "pass --weights too" },
        { ["classify", Images[0], "--model-dir", "/nonexistent"], "--model-dir '/nonexistent' is not a folder" },
        { ["preprocess", Images[0], "--size", "0", "--output", "/tmp/x.npy"], "--size 0 is out of range; expected 1 to 4096" },
    };

    [Theory]
    [MemberData(nameof(Mistakes))]
    public void UserMistakesPrintOneLineAndExit1(string[] args, string message)
    {
        var (code, _, stderr) = CliRunner.Run(args);
        Assert.Equal(1, code);
        var line = Assert.Single(stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains(message, line, StringComparison.Ordinal);
    }

    private static string[] MiniDagger() =>
        ["--weights", TestData.Golden("mini_dagger", "weights.safetensors"), "--config", TestData.Golden("mini_dagger", "config.json")];

    private static Answer[] ParseJson(string json)
    {
        using var document = JsonDocument.Parse(json);
        return [.. document.RootElement.EnumerateArray().Select(a => new Answer(
            a.GetProperty("image").GetString()!,
            [.. a.GetProperty("top").EnumerateArray().Select(t =>
                (t.GetProperty("index").GetInt32(), t.GetProperty("label").GetString()!, t.GetProperty("probability").GetDouble()))]))];
    }

    private static double[] Softmax(float[] logits)
    {
        double max = logits.Max();
        var e = logits.Select(v => Math.Exp(v - max)).ToArray();
        double sum = e.Sum();
        return [.. e.Select(v => v / sum)];
    }

    /// <summary>The label list embedded in the runtime, read independently of its code.</summary>
    private static string[] ImageNetLabels()
    {
        using var stream = typeof(CrossVit.Runtime.Model.CrossVitModel).Assembly.GetManifestResourceStream("imagenet_classes.txt")!;
        return new StreamReader(stream).ReadToEnd().Split('\n', StringSplitOptions.RemoveEmptyEntries);
    }
}

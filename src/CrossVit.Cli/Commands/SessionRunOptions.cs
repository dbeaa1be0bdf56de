using System.CommandLine;
using CrossVit.Runtime.Config;
using CrossVit.Runtime.Engine;
using CrossVit.Runtime.Model;

namespace CrossVit.Cli.Commands;

/// <summary>
/// The options of commands that time passes of one session (<c>bench</c>, <c>profile</c>): the model, the session and
/// how many runs, defined once so that the commands accept the same values.
/// </summary>
internal sealed class SessionRunOptions
{
    private const int MaxBatch = 1024;
    private const int MaxRuns = 100_000;

    public Option<string?> Model { get; } = new("--model") { Description = "Preset name; seeded random weights unless --weights is given." };
    public Option<string?> Weights { get; } = new("--weights") { Description = "Checkpoint (.safetensors); its metadata may carry the config." };
    public Option<int> Batch { get; } = Options.Int("--batch", $"Images per run, 1 to {MaxBatch}.", 1, MaxBatch, defaultValue: 1);
    public Option<int> Threads { get; } = Options.Threads();
    public Option<BranchScheduling> Branches { get; } = Options.Branches();
    public Option<ImageScheduling> Images { get; } = Options.Images();
    public Option<int> Warmup { get; } = Options.Int("--warmup", $"Untimed runs first, 0 to {MaxRuns}.", 0, MaxRuns, defaultValue: 5);
    public Option<int> Iterations { get; } = Options.Int("--iterations", $"Timed runs, 1 to {MaxRuns}.", 1, MaxRuns, defaultValue: 20);

    /// <summary>Adds the options to <paramref name="command"/>, in the order its help lists them.</summary>
    public void AddTo(Command command)
    {
        foreach (var option in new Option[] { Model, Weights, Batch, Threads, Branches, Images, Warmup, Iterations }) command.Options.Add(option);
    }

    /// <summary>
    /// The model the options name: a checkpoint, or a preset with seeded random weights; its weights are packed on the
    /// session's threads, as <c>classify</c> and <c>run</c> pack theirs.
    /// </summary>
    public CrossVitModel LoadModel(ParseResult r)
    {
        string? preset = r.GetValue(Model), weights = r.GetValue(Weights);
        var options = new ModelOptions { Threads = r.GetValue(Threads) };
        if (weights is not null) return new ModelSource(weights, preset, null).Load(options);
        return preset is null
            ? throw new CliException("Give --model NAME (seeded random weights) or --weights FILE.")
            : DefaultModel.Random(preset, options);
    }

    /// <summary>The name to print for <paramref name="model"/>: the preset given, the preset its config matches, or "custom".</summary>
    public string ModelName(ParseResult r, CrossVitModel model) => r.GetValue(Model) ?? Presets.Match(model.Config) ?? "custom";

    /// <summary>The session the options ask for.</summary>
    public SessionOptions Session(ParseResult r, bool profile = false) =>
        new() { MaxBatch = r.GetValue(Batch), Threads = r.GetValue(Threads), Branches = r.GetValue(Branches), Images = r.GetValue(Images), Profile = profile };

    /// <summary>The seeded input of every timed run: [batch, channels, size, size], uniform in [-2, 2).</summary>
    public static float[] Input(CrossVitConfig c, int batch)
    {
        int size = c.ImgSize[0];
        var random = new Random(0);
        var input = new float[batch * c.InChannels * size * size];
        foreach (ref float v in input.AsSpan()) v = (float)(random.NextDouble() * 4 - 2);
        return input;
    }
}

using System.CommandLine;
using CrossVit.Runtime.Classification;
using CrossVit.Runtime.Config;
using CrossVit.Runtime.Model;

namespace CrossVit.Cli.Commands;

/// <summary><c>crossvit classify</c>: images in, the top-K ImageNet classes with softmax probabilities out.</summary>
internal static class ClassifyCommand
{
    public static Command Create()
    {
        var images = new Argument<string[]>("images") { Description = "Images (PNG, JPEG, BMP, PPM/PGM); all run as one batch.", Arity = ArgumentArity.OneOrMore };
        var weights = new Option<string?>("--weights") { Description = "Checkpoint (.safetensors). Without it and --model-dir, a random-weight demo model runs." };
        var model = new Option<string?>("--model") { Description = "Preset name of the weights, e.g. crossvit_9_dagger_240." };
        var config = new Option<string?>("--config") { Description = "Config JSON of the weights (the runtime's schema or timm's Hugging Face config.json)." };
        var modelDir = new Option<string?>("--model-dir") { Description = "Hugging Face model folder holding config.json and model.safetensors." };
        var top = Options.Int("--top", $"Classes to print per image, 1 to {ConfigLimits.MaxClasses}.", 1, ConfigLimits.MaxClasses, defaultValue: 5);
        var json = new Option<bool>("--json") { Description = "Print one JSON document instead of text." };
        var threads = Options.Threads();
        var timings = new Option<bool>("--timings") { Description = "Also print on stderr how long loading, decoding and preprocessing, and the forward pass took." };
        var command = new Command("classify", "Classify images: the top-K classes and their softmax probabilities per image.")
        {
            images, weights, model, config, modelDir, top, json, threads, timings,
        };
        command.SetAction(r =>
        {
            var paths = r.GetValue(images)!;
            var source = new ModelSource(r.GetValue(weights), r.GetValue(model), r.GetValue(config), r.GetValue(modelDir));
            var phases = new Phases();
            var results = Classify(source, new ModelOptions { Threads = r.GetValue(threads), MaxBatch = paths.Length }, paths, r.GetValue(top), phases);
            if (r.GetValue(json))
            {
                using var stdout = Console.OpenStandardOutput();
                ClassifyOutput.WriteJson(stdout, results);
            }
            else
            {
                ClassifyOutput.WriteText(Console.Out, results);
            }
            ClassifyOutput.WriteErrors(Console.Error, results);
            if (r.GetValue(timings)) Console.Error.WriteLine($"timings: {phases}");
            return results.Any(a => a.Error is not null) ? CliError.UserError : 0;
        });
        return command;
    }

    /// <summary>
    /// Each image's answer or error. Trained weights are loaded first (their config sets the input size); the demo model
    /// is generated only once an image has decoded, so that a call whose every image is bad ends at once.
    /// </summary>
    private static ImageAnswer[] Classify(ModelSource source, ModelOptions options, string[] paths, int k, Phases phases)
    {
        // The status line is erased (disposed) before any answer is printed.
        using var progress = new Progress();
        using var trained = phases.Time("load", () => LoadTrained(source, options, progress));
        var config = trained?.Config ?? DefaultModel.Config;
        ImageClassification.CheckModel(config);
        var (batch, errors) = phases.Time("decode and preprocess", () => ImageBatch.Load(paths, config, progress));
        int decoded = errors.Count(e => e is null), row = 0;
        Prediction[][] top = [];
        if (decoded > 0)
        {
            using var demo = trained is null ? phases.Time("load", () => LoadDemo(options, progress)) : null;
            progress.Report(decoded == 1 ? "classifying..." : $"classifying {decoded} images...");
            top = phases.Time("forward", () => ImageClassification.Classify(trained ?? demo!, batch.Span, decoded, k));
        }
        return [.. paths.Select((path, i) => errors[i] is { } error ? new ImageAnswer(path, null, error) : new ImageAnswer(path, top[row++], null))];
    }

    private static CrossVitModel? LoadTrained(ModelSource source, ModelOptions options, Progress progress)
    {
        if (source.Weights is not null || source.ModelDir is not null)
        {
            progress.Report("loading weights...");
            return source.Load(options);
        }
        if (source.Model is not null || source.Config is not null)
            throw new CliException("--model and --config describe the file given with --weights; pass --weights too (or --model-dir), or none of them for the demo model.");
        return null;
    }

    private static CrossVitModel LoadDemo(ModelOptions options, Progress progress)
    {
        progress.Erase();
        Console.Error.WriteLine(DefaultModel.Notice);
        progress.Report("generating the demo model's random weights...");
        return DefaultModel.Load(options);
    }
}

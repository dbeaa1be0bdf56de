using System.CommandLine;
using CrossVit.Runtime.Model;
using CrossVit.Runtime.Classification;

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
        var top = new Option<int>("--top") { Description = "Classes to print per image.", DefaultValueFactory = _ => 5 };
        var json = new Option<bool>("--json") { Description = "Print one JSON document instead of text." };
        var threads = Options.Threads();
        var command = new Command("classify", "Classify images: the top-K classes and their softmax probabilities per image.")
        {
            images, weights, model, config, modelDir, top, json, threads,
        };
        command.SetAction(r => CliError.Guard(() =>
        {
            var paths = r.GetValue(images)!;
            int k = r.GetValue(top);
            if (k < 1) throw new CliException($"--top {k} is invalid; expected at least 1.");
            var source = new ModelSource(r.GetValue(weights), r.GetValue(model), r.GetValue(config), r.GetValue(modelDir));
            var results = Classify(source, new ModelOptions { Threads = r.GetValue(threads), MaxBatch = paths.Length }, paths, k);
            if (r.GetValue(json))
            {
                using var stdout = Console.OpenStandardOutput();
                ClassifyOutput.WriteJson(stdout, paths, results);
            }
            else
            {
                ClassifyOutput.WriteText(Console.Out, paths, results);
            }
            return 0;
        }));
        return command;
    }

    private static Prediction[][] Classify(ModelSource source, ModelOptions options, string[] paths, int k)
    {
        // The status line is erased (disposed) before any answer is printed.
        using var progress = new Progress();
        using var m = LoadModel(source, options, progress);
        int classes = m.Config.NumClasses;
        if (classes == 0)
            throw new CliException("The model has no classifier head (num_classes is 0); classify needs one. Use 'crossvit run' for features.");
        int size = m.Config.ImgSize[0];
        var batch = ImageBatch.Load(paths, size, m.Config.CropPct, progress);
        progress.Report(paths.Length == 1 ? "classifying..." : $"classifying {paths.Length} images...");
        var logits = m.Run(batch, paths.Length, size, size);
        return Enumerable.Range(0, paths.Length)
            .Select(i => Classification.Top(logits.AsSpan(i * classes, classes), Math.Min(k, classes)))
            .ToArray();
    }

    private static CrossVitModel LoadModel(ModelSource source, ModelOptions options, Progress progress)
    {
        if (source.Weights is not null || source.ModelDir is not null)
        {
            progress.Report("loading weights...");
            return source.Load(options);
        }
        if (source.Model is not null || source.Config is not null)
            throw new CliException("--model and --config describe the file given with --weights; pass --weights too (or --model-dir), or none of them for the demo model.");
        Console.Error.WriteLine(DefaultModel.Notice);
        progress.Report("generating the demo model's random weights...");
        return DefaultModel.Load(options);
    }
}

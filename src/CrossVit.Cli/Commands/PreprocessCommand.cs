using System.CommandLine;
using CrossVit.Imaging;
using CrossVit.Weights;

namespace CrossVit.Cli.Commands;

/// <summary><c>crossvit preprocess</c>: an image in, timm's eval-transform tensor out as a [1, C, S, S] float32 .npy.</summary>
internal static class PreprocessCommand
{
    public static Command Create()
    {
        var image = new Argument<string>("image") { Description = "Image (PNG, JPEG, BMP, PPM/PGM)." };
        var size = Options.Int("--size", $"Side of the square output, 1 to {Preprocess.MaxSize}, e.g. 240.", 1, Preprocess.MaxSize);
        var cropPct = Options.Fraction("--crop-pct", "Share of the resized shorter side kept by the center crop, in (0, 1].", 0.875, 0, 1);
        var gray = new Option<bool>("--gray") { Description = "One grayscale channel (PIL's convert('L'), as timm loads images for a one-channel model); needs --mean and --std." };
        var mean = Options.Numbers("--mean", "Channel means, comma-separated (default: ImageNet's for RGB).");
        var std = Options.Numbers("--std", "Channel standard deviations, comma-separated (default: ImageNet's for RGB).");
        var output = new Option<string>("--output") { Description = "Where to write the [1, channels, size, size] float32 tensor (.npy).", Required = true };
        var command = new Command("preprocess", "Apply timm's eval transform (bicubic resize, center crop, normalization) and write the tensor.")
        {
            image, size, cropPct, gray, mean, std, output,
        };
        command.SetAction(r =>
        {
            int s = r.GetValue(size);
            var normalization = Statistics(r.GetValue(gray) ? 1 : 3, (mean, Given(r.GetValue(mean))), (std, Given(r.GetValue(std))));
            string path = FileArguments.RequireOutput(r.GetValue(output)!, "--output");
            var tensor = Preprocess.TimmEval(ImageBatch.Decode(r.GetValue(image)!), s, r.GetValue(cropPct), normalization);
            Npy.Write(path, [1, normalization.Channels, s, s], tensor);
            return 0;
        });
        return command;
    }

    /// <summary>The statistics given for <paramref name="channels"/> channels, ImageNet's for RGB where one is not given.</summary>
    private static Normalization Statistics(int channels, (Option<float[]?> Option, float[]? Values) mean, (Option<float[]?> Option, float[]? Values) std)
    {
        foreach (var (option, values) in new[] { mean, std })
        {
            if (values is null && channels == 1)
                throw new CliException($"--gray needs {option.Name}: ImageNet's statistics are for RGB.");
            if (values is not null && values.Length != channels)
                throw new CliException($"{option.Name} has {values.Length} values; expected {channels}, one per channel.");
        }
        if (std.Values is not null && std.Values.Contains(0f)) throw new CliException("--std must not be 0.");
        return new(mean.Values ?? Normalization.ImageNet.Mean, std.Values ?? Normalization.ImageNet.Std);
    }

    /// <summary>An option's list, or null when not given (where System.CommandLine reports an absent list option as empty).</summary>
    private static float[]? Given(float[]? values) => values is { Length: > 0 } ? values : null;
}

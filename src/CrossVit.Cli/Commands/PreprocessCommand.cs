using System.CommandLine;
using CrossVit.Imaging;
using CrossVit.Weights;

namespace CrossVit.Cli.Commands;

/// <summary><c>crossvit preprocess</c>: an image in, timm's eval-transform tensor out as a [1, 3, S, S] float32 .npy.</summary>
internal static class PreprocessCommand
{
    public static Command Create()
    {
        var image = new Argument<string>("image") { Description = "Image (PNG, JPEG, BMP, PPM/PGM)." };
        var size = new Option<int>("--size") { Description = "Side of the square output, e.g. 240.", Required = true };
        var cropPct = new Option<double>("--crop-pct") { Description = "Share of the resized shorter side kept by the center crop.", DefaultValueFactory = _ => 0.875 };
        var output = new Option<string>("--output") { Description = "Where to write the [1, 3, size, size] float32 tensor (.npy).", Required = true };
        var command = new Command("preprocess", "Apply timm's eval transform (bicubic resize, center crop, ImageNet normalization) and write the tensor.")
        {
            image, size, cropPct, output,
        };
        command.SetAction(r => CliError.Guard(() =>
        {
            int s = r.GetValue(size);
            double crop = r.GetValue(cropPct);
            if (s < 1) throw new CliException($"--size {s} is invalid; expected a positive number of pixels.");
            if (!(crop > 0) || double.IsInfinity(crop)) throw new CliException($"--crop-pct {crop} is invalid; expected a positive fraction such as 0.875.");
            var tensor = Preprocess.TimmEval(ImageBatch.Decode(r.GetValue(image)!), s, crop, Normalization.ImageNet);
            Npy.Write(r.GetValue(output)!, [1, 3, s, s], tensor);
            return 0;
        }));
        return command;
    }
}

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
        var size = Options.Int("--size", $"Side of the square output, 1 to {Preprocess.MaxSize}, e.g. 240.", 1, Preprocess.MaxSize);
        var cropPct = Options.Fraction("--crop-pct", "Share of the resized shorter side kept by the center crop, in (0, 1].", 0.875, 0, 1);
        var output = new Option<string>("--output") { Description = "Where to write the [1, 3, size, size] float32 tensor (.npy).", Required = true };
        var command = new Command("preprocess", "Apply timm's eval transform (bicubic resize, center crop, ImageNet normalization) and write the tensor.")
        {
            image, size, cropPct, output,
        };
        command.SetAction(r =>
        {
            int s = r.GetValue(size);
            string path = FileArguments.RequireOutput(r.GetValue(output)!, "--output");
            var tensor = Preprocess.TimmEval(ImageBatch.Decode(r.GetValue(image)!), s, r.GetValue(cropPct), Normalization.ImageNet);
            Npy.Write(path, [1, 3, s, s], tensor);
            return 0;
        });
        return command;
    }
}

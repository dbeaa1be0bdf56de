using CrossVit.Imaging;
using CrossVit.Runtime.Classification;
using CrossVit.Runtime.Config;

namespace CrossVit.Cli;

/// <summary>Decodes images and lays out their timm eval tensors side by side as one float32 NCHW batch.</summary>
internal static class ImageBatch
{
    /// <summary>
    /// The tensors of the images that decode, side by side in the order given, and for each path its error or null: one
    /// bad image is reported on its own while the others still go through.
    /// </summary>
    public static (ReadOnlyMemory<float> Batch, string?[] Errors) Load(IReadOnlyList<string> paths, CrossVitConfig config, Progress progress)
    {
        int image = ImageClassification.SlotSize(config), decoded = 0;
        var batch = new float[(long)paths.Count * image];
        var errors = new string?[paths.Count];
        for (int i = 0; i < paths.Count; i++)
        {
            if (paths.Count > 1) progress.Report($"decoding images: {i + 1}/{paths.Count}");
            try
            {
                ImageClassification.Preprocess(config, Decode(paths[i]), batch.AsSpan(decoded * image, image));
                decoded++;
            }
            catch (Exception e) when (e is CliException or ImageFormatException or IOException or UnauthorizedAccessException)
            {
                errors[i] = e.Message;
            }
        }
        return (batch.AsMemory(0, decoded * image), errors);
    }

    /// <summary>Decodes one file; a malformed image is reported with its path, since several may be given.</summary>
    public static RgbImage Decode(string path)
    {
        try
        {
            return ImageDecoder.Load(FileArguments.RequireInput(path, "image"));
        }
        catch (ImageFormatException e)
        {
            throw new ImageFormatException($"{path}: {e.Message}", e);
        }
    }
}

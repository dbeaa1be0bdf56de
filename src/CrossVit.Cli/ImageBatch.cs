using CrossVit.Imaging;

namespace CrossVit.Cli;

/// <summary>Decodes images and lays out their timm eval tensors side by side as one float32 NCHW batch.</summary>
internal static class ImageBatch
{
    public static float[] Load(IReadOnlyList<string> paths, int size, double cropPct, Progress progress)
    {
        int image = 3 * size * size;
        var batch = new float[(long)paths.Count * image];
        for (int i = 0; i < paths.Count; i++)
        {
            if (paths.Count > 1) progress.Report($"decoding images: {i + 1}/{paths.Count}");
            Preprocess.TimmEval(Decode(paths[i]), size, cropPct, Normalization.ImageNet, batch.AsSpan(i * image, image));
        }
        return batch;
    }

    /// <summary>Decodes one file; a malformed image is reported with its path, since several may be given.</summary>
    public static RgbImage Decode(string path)
    {
        try
        {
            return ImageDecoder.Load(ModelSource.RequireFile(path, "image"));
        }
        catch (ImageFormatException e)
        {
            throw new ImageFormatException($"{path}: {e.Message}", e);
        }
    }
}

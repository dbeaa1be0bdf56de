using CrossVit.Imaging;
using CrossVit.Runtime.Classification;
using CrossVit.Runtime.Model;

namespace CrossVit.Server;

/// <summary>An uploaded image: its bytes and, for multipart parts, its file name.</summary>
internal sealed record Upload(string? FileName, byte[] Bytes);

/// <summary>Decodes uploads, runs them as one batch and turns each row of logits into the top-K classes.</summary>
internal static class Classifier
{
    public static Prediction[][] Classify(CrossVitModel model, IReadOnlyList<Upload> uploads, int k, DecodeLimits limits)
    {
        int size = model.Config.ImgSize[0], image = 3 * size * size, classes = model.Config.NumClasses;
        var batch = new float[uploads.Count * image];
        for (int i = 0; i < uploads.Count; i++)
            Preprocess.TimmEval(Decode(uploads, i, limits), size, model.Config.CropPct, Normalization.ImageNet, batch.AsSpan(i * image, image));
        var logits = model.Run(batch, uploads.Count, size, size);
        return [.. Enumerable.Range(0, uploads.Count).Select(i => Classification.Top(logits.AsSpan(i * classes, classes), k))];
    }

    /// <summary>Decodes one upload; with several, the message says which one was malformed.</summary>
    private static RgbImage Decode(IReadOnlyList<Upload> uploads, int i, DecodeLimits limits)
    {
        try
        {
            return ImageDecoder.Decode(uploads[i].Bytes, limits);
        }
        catch (ImageFormatException e) when (uploads.Count > 1)
        {
            throw new ImageFormatException($"image {i + 1} of {uploads.Count} ('{uploads[i].FileName}'): {e.Message}", e);
        }
    }
}

using CommunityToolkit.HighPerformance.Buffers;
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
        int n = uploads.Count, size = model.Config.ImgSize[0], image = 3 * size * size, classes = model.Config.NumClasses;
        // Pooled: a 240 × 240 image's tensor alone is over the large-object threshold, so a fresh one per request
        // would be collected only with generation 2.
        using var batch = SpanOwner<float>.Allocate(n * image);
        using var logits = SpanOwner<float>.Allocate(n * classes);
        for (int i = 0; i < n; i++)
            Preprocess.TimmEval(Decode(uploads, i, limits), size, model.Config.CropPct, Normalization.ImageNet, batch.Span.Slice(i * image, image));
        model.Run(batch.Span, n, size, size, logits.Span);
        var top = new Prediction[n][];
        for (int i = 0; i < n; i++) top[i] = Classification.Top(logits.Span.Slice(i * classes, classes), k);
        return top;
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

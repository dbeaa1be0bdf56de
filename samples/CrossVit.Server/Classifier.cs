using CrossVit.Imaging;
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
        return [.. Enumerable.Range(0, uploads.Count).Select(i => Top(logits.AsSpan(i * classes, classes), k))];
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

    /// <summary>The <paramref name="k"/> largest softmax probabilities, most probable first (ties: lower index first).</summary>
    private static Prediction[] Top(ReadOnlySpan<float> logits, int k)
    {
        // Softmax in double, shifted by the maximum so that large logits cannot overflow.
        float max = float.NegativeInfinity;
        foreach (float v in logits) max = Math.Max(max, v);
        var p = new double[logits.Length];
        double sum = 0;
        for (int i = 0; i < logits.Length; i++) sum += p[i] = Math.Exp(logits[i] - (double)max);
        int classes = p.Length;
        return [.. Enumerable.Range(0, classes).OrderByDescending(i => p[i]).ThenBy(i => i).Take(k)
            .Select(i => new Prediction(i, Labels.Of(i, classes), p[i] / sum))];
    }
}

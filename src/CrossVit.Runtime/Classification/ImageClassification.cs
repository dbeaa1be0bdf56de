using CrossVit.Imaging;
using CrossVit.Runtime.Config;
using CrossVit.Runtime.Model;

namespace CrossVit.Runtime.Classification;

/// <summary>
/// Images to classes, the pipeline that the CLI's <c>classify</c> and the hosting package share: timm's eval transform
/// at the model's input size and <c>crop_pct</c>, each image into its slot of one NCHW batch, one forward pass, and the
/// top-K classes of each image.
/// </summary>
public static class ImageClassification
{
    /// <summary>Throws unless the model classifies RGB images: a classifier head, three input channels.</summary>
    /// <exception cref="ArgumentException">The model has no head, or takes other than three channels.</exception>
    public static void CheckModel(CrossVitConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        if (config.NumClasses == 0)
            throw new ArgumentException("The model has no classifier head (num_classes is 0); run it for its features instead.", nameof(config));
        if (config.InChannels != 3)
            throw new ArgumentException($"The model takes {config.InChannels} input channels; images decode to RGB, three. Run it on tensors of your own instead.", nameof(config));
    }

    /// <summary>Floats of one image's slot in a batch: 3 × img_size².</summary>
    public static int SlotSize(CrossVitConfig config) => 3 * config.ImgSize[0] * config.ImgSize[0];

    /// <summary>Writes <paramref name="image"/>'s eval-transform tensor into <paramref name="slot"/> (<see cref="SlotSize"/> floats).</summary>
    public static void Preprocess(CrossVitConfig config, RgbImage image, Span<float> slot) =>
        Imaging.Preprocess.TimmEval(image, config.ImgSize[0], config.CropPct, Normalization.ImageNet, slot);

    /// <summary>Runs <paramref name="count"/> preprocessed images, side by side in <paramref name="batch"/>, and returns each one's top <paramref name="k"/> classes.</summary>
    /// <exception cref="ArgumentException">The model does not classify RGB images (<see cref="CheckModel"/>).</exception>
    public static Prediction[][] Classify(CrossVitModel model, ReadOnlySpan<float> batch, int count, int k)
    {
        ArgumentNullException.ThrowIfNull(model);
        CheckModel(model.Config);
        int size = model.Config.ImgSize[0], classes = model.Config.NumClasses;
        var logits = new float[count * classes];
        model.Run(batch[..(count * SlotSize(model.Config))], count, size, size, logits);
        var top = new Prediction[count][];
        for (int i = 0; i < count; i++) top[i] = Classification.Top(logits.AsSpan(i * classes, classes), Math.Min(k, classes));
        return top;
    }
}

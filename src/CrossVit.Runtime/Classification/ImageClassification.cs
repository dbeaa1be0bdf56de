using CrossVit.Imaging;
using CrossVit.Runtime.Config;
using CrossVit.Runtime.Model;

namespace CrossVit.Runtime.Classification;

/// <summary>
/// Images to classes, the pipeline that the CLI's <c>classify</c> and the hosting package share: timm's eval transform
/// at the model's input size, <c>crop_pct</c> and normalization, each image into its slot of one NCHW batch, one
/// forward pass, and the top-K classes of each image. As timm loads images, a three-channel model sees RGB and a
/// one-channel model grayscale (PIL's <c>convert('L')</c>).
/// </summary>
public static class ImageClassification
{
    /// <summary>Throws unless the model classifies images: a classifier head, one or three input channels, statistics to match.</summary>
    /// <exception cref="ArgumentException">The model has no head, takes another channel count, or its mean and std do not fit its channels.</exception>
    public static void CheckModel(CrossVitConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        if (config.NumClasses == 0)
            throw new ArgumentException("The model has no classifier head (num_classes is 0); run it for its features instead.", nameof(config));
        _ = Normalization(config);
    }

    /// <summary>
    /// The model's input normalization: its config's <c>mean</c> and <c>std</c> (one value standing for every channel,
    /// as in timm), ImageNet's where a three-channel model has none.
    /// </summary>
    /// <exception cref="ArgumentException">The model takes other than one or three channels, or its statistics do not fit them.</exception>
    public static Normalization Normalization(CrossVitConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        int channels = config.InChannels;
        if (channels is not (1 or 3))
        {
            throw new ArgumentException(
                $"The model takes {channels} input channels; images give three (RGB) or one (grayscale). Run it on tensors of your own instead.", nameof(config));
        }

        if (channels == 1 && (config.Mean is null || config.Std is null))
        {
            throw new ArgumentException(
                "The model takes one (grayscale) channel but its config gives no mean and std to normalize it with; ImageNet's are for RGB. Set \"mean\" and \"std\" (pretrained_cfg's in timm's config.json).",
                nameof(config));
        }

        var imageNet = Imaging.Normalization.ImageNet;
        return new(Statistics(config.Mean, imageNet.Mean, channels, "mean"), Statistics(config.Std, imageNet.Std, channels, "std"));
    }

    /// <summary>Floats of one image's slot in a batch: in_channels × img_size².</summary>
    public static int SlotSize(CrossVitConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        return config.InChannels * config.ImgSize[0] * config.ImgSize[0];
    }

    /// <summary>Writes <paramref name="image"/>'s eval-transform tensor into <paramref name="slot"/> (<see cref="SlotSize"/> floats).</summary>
    /// <exception cref="ArgumentException">The model does not classify images (<see cref="CheckModel"/>).</exception>
    public static void Preprocess(CrossVitConfig config, RgbImage image, Span<float> slot)
    {
        ArgumentNullException.ThrowIfNull(config);
        Imaging.Preprocess.TimmEval(image, config.ImgSize[0], config.CropPct, Normalization(config), slot);
    }

    /// <summary>Runs <paramref name="count"/> preprocessed images, side by side in <paramref name="batch"/>, and returns each one's top <paramref name="k"/> classes.</summary>
    /// <exception cref="ArgumentException">The model does not classify images (<see cref="CheckModel"/>).</exception>
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

    /// <summary>The config's values for <paramref name="channels"/> channels (one value repeated), else <paramref name="fallback"/>.</summary>
    private static float[] Statistics(IReadOnlyList<double>? values, float[] fallback, int channels, string field)
    {
        if (values is null) return fallback;
        if (values.Count != 1 && values.Count != channels)
            throw new ArgumentException($"The config's {field} has {values.Count} values; the model takes {channels} channel(s): give one value per channel, or one for all.", "config");
        return [.. Enumerable.Range(0, channels).Select(c => (float)values[values.Count == 1 ? 0 : c])];
    }
}

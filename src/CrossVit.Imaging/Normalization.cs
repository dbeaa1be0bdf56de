namespace CrossVit.Imaging;

/// <summary>
/// Per-channel mean and standard deviation applied after scaling pixels to [0, 1]: three for RGB input, one for
/// grayscale.
/// </summary>
/// <param name="Mean">One mean per channel: R, G, B, or the gray level's.</param>
/// <param name="Std">One standard deviation per channel, all finite and non-zero.</param>
public sealed record Normalization(float[] Mean, float[] Std)
{
    /// <summary>The channels these statistics are for (the length of <see cref="Mean"/>).</summary>
    public int Channels => Mean.Length;

    /// <summary>The ImageNet statistics used by timm and torchvision.</summary>
    public static Normalization ImageNet { get; } = new([0.485f, 0.456f, 0.406f], [0.229f, 0.224f, 0.225f]);
}

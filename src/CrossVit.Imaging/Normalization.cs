namespace CrossVit.Imaging;

/// <summary>Per-channel mean and standard deviation applied after scaling pixels to [0, 1].</summary>
/// <param name="Mean">Three channel means (R, G, B).</param>
/// <param name="Std">Three channel standard deviations (R, G, B), all non-zero.</param>
public sealed record Normalization(float[] Mean, float[] Std)
{
    /// <summary>The ImageNet statistics used by timm and torchvision.</summary>
    public static Normalization ImageNet { get; } = new([0.485f, 0.456f, 0.406f], [0.229f, 0.224f, 0.225f]);
}

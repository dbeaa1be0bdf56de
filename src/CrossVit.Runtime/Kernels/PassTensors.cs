namespace CrossVit.Runtime.Kernels;

/// <summary>
/// A pass's tensors as the branches' layers see them: every branch's tokens, and the input images
/// [batch, channels, height, width] that the patch embedding reads.
/// </summary>
internal readonly ref struct PassTensors(Span<float> tokens, ReadOnlySpan<float> images, int batch, int height, int width)
{
    public Span<float> Tokens { get; } = tokens;
    public ReadOnlySpan<float> Images { get; } = images;
    public int Batch { get; } = batch;
    public int Height { get; } = height;
    public int Width { get; } = width;
}

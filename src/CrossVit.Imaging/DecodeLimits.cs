namespace CrossVit.Imaging;

/// <summary>Upper bounds on the declared size of an image, checked before any pixel buffer is allocated.</summary>
/// <param name="MaxWidth">Largest accepted width in pixels.</param>
/// <param name="MaxHeight">Largest accepted height in pixels.</param>
/// <param name="MaxPixels">Largest accepted <c>width * height</c>.</param>
/// <param name="MaxFileBytes">Largest image file <see cref="ImageDecoder.Load"/> reads (checked before reading it).</param>
public sealed record DecodeLimits(int MaxWidth = 16384, int MaxHeight = 16384, long MaxPixels = 100_000_000, long MaxFileBytes = 512L << 20)
{
    /// <summary>The limits used when none are given.</summary>
    public static DecodeLimits Default { get; } = new();

    internal void Check(long width, long height, string format)
    {
        if (width <= 0 || height <= 0)
        {
            throw new ImageFormatException($"{format}: image dimensions {width}x{height} are invalid; both must be positive.");
        }

        if (width > MaxWidth || height > MaxHeight || width * height > MaxPixels)
        {
            throw new ImageFormatException(
                $"{format}: image dimensions {width}x{height} exceed the decode limits ({MaxWidth}x{MaxHeight}, {MaxPixels} pixels).");
        }
    }
}

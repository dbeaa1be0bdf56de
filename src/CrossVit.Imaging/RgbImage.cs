namespace CrossVit.Imaging;

/// <summary>An 8-bit RGB image stored as interleaved <c>[height, width, 3]</c> bytes.</summary>
public sealed class RgbImage
{
    /// <summary>Wraps existing pixel data without copying it.</summary>
    /// <param name="width">Width in pixels; must be positive.</param>
    /// <param name="height">Height in pixels; must be positive.</param>
    /// <param name="pixels">Interleaved RGB bytes, row-major, exactly <c>width * height * 3</c> long.</param>
    public RgbImage(int width, int height, byte[] pixels)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(width);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(height);
        ArgumentNullException.ThrowIfNull(pixels);
        if (pixels.LongLength != (long)width * height * 3)
        {
            throw new ArgumentException($"Expected {(long)width * height * 3} bytes for a {width}x{height} RGB image, got {pixels.LongLength}.", nameof(pixels));
        }

        Width = width;
        Height = height;
        Pixels = pixels;
    }

    /// <summary>Width in pixels.</summary>
    public int Width { get; }

    /// <summary>Height in pixels.</summary>
    public int Height { get; }

    /// <summary>Interleaved RGB bytes in <c>[height, width, 3]</c> order.</summary>
    public byte[] Pixels { get; }
}

using CrossVit.Imaging.Jpeg;
using CrossVit.Imaging.Png;

namespace CrossVit.Imaging;

/// <summary>Decodes PNG, JPEG, BMP and PPM/PGM images to 8-bit RGB the way PIL's <c>convert('RGB')</c> does.</summary>
public static class ImageDecoder
{
    /// <summary>Decodes an image, recognising the format by its leading magic bytes.</summary>
    /// <param name="data">The complete encoded file.</param>
    /// <param name="limits">Size limits checked before allocation; <see cref="DecodeLimits.Default"/> when null.</param>
    /// <returns>The decoded image; alpha is dropped and gray is replicated to three channels.</returns>
    /// <exception cref="ImageFormatException">The data is malformed, truncated, too large or of an unsupported kind.</exception>
    public static RgbImage Decode(ReadOnlySpan<byte> data, DecodeLimits? limits = null)
    {
        limits ??= DecodeLimits.Default;
        if (PngDecoder.IsPng(data))
        {
            return PngDecoder.Decode(data, limits);
        }

        if (data.Length >= 3 && data[0] == 0xFF && data[1] == 0xD8 && data[2] == 0xFF)
        {
            return JpegDecoder.Decode(data, limits);
        }

        if (data.Length >= 2 && data[0] == (byte)'B' && data[1] == (byte)'M')
        {
            return Bmp.Decode(data, limits);
        }

        if (data.Length >= 2 && data[0] == (byte)'P' && (data[1] == (byte)'5' || data[1] == (byte)'6'))
        {
            return Pnm.Decode(data, limits);
        }

        throw new ImageFormatException("Unrecognised image format: expected PNG, JPEG, BMP (BM) or binary PGM/PPM (P5/P6) magic bytes.");
    }

    /// <summary>Reads and decodes an image file.</summary>
    /// <param name="path">Path of the file.</param>
    /// <param name="limits">Size limits checked before allocation; <see cref="DecodeLimits.Default"/> when null.</param>
    /// <returns>The decoded image.</returns>
    /// <exception cref="ImageFormatException">The file content is malformed, truncated, too large or unsupported.</exception>
    public static RgbImage Load(string path, DecodeLimits? limits = null)
    {
        ArgumentNullException.ThrowIfNull(path);
        return Decode(File.ReadAllBytes(path), limits);
    }
}

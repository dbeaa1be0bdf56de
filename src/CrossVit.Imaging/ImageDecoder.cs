using CrossVit.Imaging.Jpeg;
using CrossVit.Imaging.Png;

namespace CrossVit.Imaging;

/// <summary>Decodes PNG, JPEG, BMP and PPM/PGM images to 8-bit RGB the way PIL's <c>convert('RGB')</c> does.</summary>
public static class ImageDecoder
{
    /// <summary>Bytes <see cref="Recognise"/> looks at.</summary>
    private const int SignatureLength = 8;

    private enum Format
    {
        Unknown,
        Png,
        Jpeg,
        Bmp,
        Pnm,
    }

    /// <summary>Decodes an image, recognising the format by its leading magic bytes.</summary>
    /// <param name="data">The complete encoded file.</param>
    /// <param name="limits">Size limits checked before allocation; <see cref="DecodeLimits.Default"/> when null.</param>
    /// <returns>The decoded image; alpha is dropped and gray is replicated to three channels.</returns>
    /// <exception cref="ImageFormatException">The data is malformed, truncated, too large or of an unsupported kind.</exception>
    public static RgbImage Decode(ReadOnlySpan<byte> data, DecodeLimits? limits = null)
    {
        limits ??= DecodeLimits.Default;
        return Recognise(data) switch
        {
            Format.Png => PngDecoder.Decode(data, limits),
            Format.Jpeg => JpegDecoder.Decode(data, limits),
            Format.Bmp => Bmp.Decode(data, limits),
            Format.Pnm => Pnm.Decode(data, limits),
            _ => throw Unrecognised(),
        };
    }

    /// <summary>Reads and decodes an image file.</summary>
    /// <param name="path">Path of the file.</param>
    /// <param name="limits">Size limits checked before allocation; <see cref="DecodeLimits.Default"/> when null.</param>
    /// <returns>The decoded image.</returns>
    /// <exception cref="ImageFormatException">The file content is malformed, truncated, too large or unsupported.</exception>
    /// <remarks>
    /// The file's size and leading magic bytes are checked before it is read whole, so a huge or foreign file is
    /// refused after reading a few bytes. Reading stops past <see cref="DecodeLimits.MaxFileBytes"/> even where the
    /// size is unknown up front (a device or a pipe).
    /// </remarks>
    public static RgbImage Load(string path, DecodeLimits? limits = null)
    {
        ArgumentNullException.ThrowIfNull(path);
        limits ??= DecodeLimits.Default;
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1, FileOptions.SequentialScan);
        if (stream.CanSeek && stream.Length > limits.MaxFileBytes)
        {
            throw TooLarge($"is {stream.Length} bytes", limits);
        }

        var head = new byte[SignatureLength];
        int headLength = stream.ReadAtLeast(head, head.Length, throwOnEndOfStream: false);
        if (Recognise(head.AsSpan(0, headLength)) == Format.Unknown)
        {
            throw Unrecognised();
        }

        using var content = new MemoryStream();
        content.Write(head, 0, headLength);
        var chunk = new byte[1 << 20];
        for (int read; (read = stream.Read(chunk)) > 0;)
        {
            if (content.Length + read > limits.MaxFileBytes)
            {
                throw TooLarge($"has more than {limits.MaxFileBytes} bytes", limits);
            }

            content.Write(chunk, 0, read);
        }

        return Decode(content.GetBuffer().AsSpan(0, (int)content.Length), limits);
    }

    private static Format Recognise(ReadOnlySpan<byte> data)
    {
        if (PngDecoder.IsPng(data))
        {
            return Format.Png;
        }

        if (data.Length >= 3 && data[0] == 0xFF && data[1] == 0xD8 && data[2] == 0xFF)
        {
            return Format.Jpeg;
        }

        if (data.Length >= 2 && data[0] == (byte)'B' && data[1] == (byte)'M')
        {
            return Format.Bmp;
        }

        return data.Length >= 2 && data[0] == (byte)'P' && (data[1] == (byte)'5' || data[1] == (byte)'6') ? Format.Pnm : Format.Unknown;
    }

    private static ImageFormatException Unrecognised() =>
        new("Unrecognised image format: expected PNG, JPEG, BMP (BM) or binary PGM/PPM (P5/P6) magic bytes.");

    private static ImageFormatException TooLarge(string size, DecodeLimits limits) =>
        new($"The image file {size}; the decode limit is {limits.MaxFileBytes} bytes.");
}

using CrossVit.Imaging;

namespace CrossVit.Hosting;

/// <summary>One image of a batch: encoded bytes (PNG, JPEG, BMP, PPM/PGM), decoded in the classifier's slot, or pixels already decoded.</summary>
public sealed class ImageInput
{
    private readonly ReadOnlyMemory<byte> _encoded;
    private readonly RgbImage? _pixels;

    private ImageInput(string? name, ReadOnlyMemory<byte> encoded, RgbImage? pixels)
    {
        Name = name;
        _encoded = encoded;
        _pixels = pixels;
    }

    /// <summary>A name for messages and results, such as the uploaded file name.</summary>
    public string? Name { get; }

    /// <summary>An encoded image; it is decoded inside the slot, so that decoded-image memory is bounded by the concurrency.</summary>
    public static ImageInput FromEncoded(ReadOnlyMemory<byte> bytes, string? name = null) => new(name, bytes, null);

    /// <summary>An image already decoded to RGB pixels.</summary>
    public static ImageInput FromPixels(RgbImage image, string? name = null) =>
        new(name, default, image ?? throw new ArgumentNullException(nameof(image)));

    internal RgbImage Decode(DecodeLimits limits)
    {
        if (_pixels is not null) return _pixels;
        if (_encoded.IsEmpty) throw new ImageFormatException($"The image{(Name is null ? "" : $" '{Name}'")} is empty; expected image bytes.");
        return ImageDecoder.Decode(_encoded.Span, limits);
    }
}

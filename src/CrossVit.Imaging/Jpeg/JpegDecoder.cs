namespace CrossVit.Imaging.Jpeg;

internal static class JpegDecoder
{
    public static RgbImage Decode(ReadOnlySpan<byte> data, DecodeLimits limits) => throw new ImageFormatException("JPEG: not implemented yet.");
}

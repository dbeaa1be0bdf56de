namespace CrossVit.Imaging;

internal static class Bmp
{
    public static RgbImage Decode(ReadOnlySpan<byte> data, DecodeLimits limits) => throw new ImageFormatException("BMP: not implemented yet.");
}

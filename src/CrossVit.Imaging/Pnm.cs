namespace CrossVit.Imaging;

internal static class Pnm
{
    public static RgbImage Decode(ReadOnlySpan<byte> data, DecodeLimits limits) => throw new ImageFormatException("PNM: not implemented yet.");
}

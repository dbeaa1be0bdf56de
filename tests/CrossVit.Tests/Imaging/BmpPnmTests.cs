using System.Buffers.Binary;
using System.Text;
using CrossVit.Imaging;
using Xunit;

namespace CrossVit.Tests.Imaging;

public sealed class BmpPnmTests
{
    private const int Width = 5, Height = 3;

    private static readonly byte[] Rgb = Enumerable.Range(0, Width * Height * 3).Select(i => (byte)((i * 37) + 11)).ToArray();

    [Theory]
    [InlineData(24, false)]
    [InlineData(24, true)]
    [InlineData(32, false)]
    [InlineData(32, true)]
    public void DecodesBmp(int bits, bool topDown)
    {
        RgbImage image = ImageDecoder.Decode(EncodeBmp(bits, topDown));
        Assert.Equal((Width, Height), (image.Width, image.Height));
        Assert.Equal(Rgb, image.Pixels);
    }

    [Fact]
    public void RejectsBadBmp()
    {
        byte[] bmp = EncodeBmp(24, false);
        Assert.Throws<ImageFormatException>(() => ImageDecoder.Decode(bmp.AsSpan(0, bmp.Length - 1)));
        byte[] rle = (byte[])bmp.Clone();
        rle[30] = 1; // BI_RLE8
        Assert.Contains("unsupported", Assert.Throws<ImageFormatException>(() => ImageDecoder.Decode(rle)).Message);
        byte[] huge = (byte[])bmp.Clone();
        BinaryPrimitives.WriteInt32LittleEndian(huge.AsSpan(18), 100_000);
        BinaryPrimitives.WriteInt32LittleEndian(huge.AsSpan(22), 100_000);
        Assert.Contains("limits", Assert.Throws<ImageFormatException>(() => ImageDecoder.Decode(huge)).Message);
    }

    [Fact]
    public void DecodesPpmAndPgm()
    {
        Assert.Equal(Rgb, ImageDecoder.Decode(Pnm("P6", 255, Rgb)).Pixels);

        byte[] gray = Rgb[..(Width * Height)];
        Assert.Equal(gray.SelectMany(g => new[] { g, g, g }).ToArray(), ImageDecoder.Decode(Pnm("P5", 255, gray)).Pixels);
    }

    [Fact]
    public void ScalesOtherMaxvalsLikePillow()
    {
        // maxval 15: round(v / 15 * 255) = 17 v.
        byte[] small = Enumerable.Range(0, Width * Height * 3).Select(i => (byte)(i % 16)).ToArray();
        Assert.Equal(small.Select(v => (byte)Math.Min(255, v * 17)).ToArray(), ImageDecoder.Decode(Pnm("P6", 15, small)).Pixels);

        // 16-bit PPM: round(v / 1000 * 255), capped at 255.
        int[] wide = Enumerable.Range(0, Width * Height * 3).Select(i => i * 71 % 1200).ToArray();
        byte[] expected = wide.Select(v => (byte)Math.Min(255, Math.Round(v / 1000.0 * 255, MidpointRounding.ToEven))).ToArray();
        Assert.Equal(expected, ImageDecoder.Decode(Pnm("P6", 1000, Wide(wide))).Pixels);

        // 16-bit PGM opens as mode "I" (scaled to 0..65535) and PIL's I -> RGB conversion clips at 255.
        int[] gray16 = [0, 1, 2, 3, 4, 100, 200, 300, 400, 500, 1000, 2000, 3000, 4000, 65535];
        byte[] expectedGray = gray16.Select(v => (byte)Math.Min(255, v)).SelectMany(g => new[] { g, g, g }).ToArray();
        Assert.Equal(expectedGray, ImageDecoder.Decode(Pnm("P5", 65535, Wide(gray16))).Pixels);
    }

    [Fact]
    public void RejectsBadPnm()
    {
        byte[] ppm = Pnm("P6", 255, Rgb);
        Assert.Contains("truncated", Assert.Throws<ImageFormatException>(() => ImageDecoder.Decode(ppm.AsSpan(0, ppm.Length - 1))).Message);
        Assert.Throws<ImageFormatException>(() => ImageDecoder.Decode("P6\n0 5\n255\n"u8));
        Assert.Throws<ImageFormatException>(() => ImageDecoder.Decode("P6\n100000 100000\n255\n"u8));
        Assert.Throws<ImageFormatException>(() => ImageDecoder.Decode("P5\n2 2\n70000\n"u8));
        Assert.Throws<ImageFormatException>(() => ImageDecoder.Decode("P5 x 2 255\n"u8));
        Assert.Throws<ImageFormatException>(() => ImageDecoder.Decode("P5"u8));
    }

    [Fact]
    public void SkipsHeaderComments()
    {
        byte[] body = [1, 2, 3];
        byte[] file = [.. "P6 # comment\n1 # another\n1\n255\n"u8.ToArray(), .. body];
        Assert.Equal(body, ImageDecoder.Decode(file).Pixels);
    }

    private static byte[] Pnm(string magic, int maxval, byte[] raster) =>
        [.. Encoding.ASCII.GetBytes($"{magic}\n{Width} {Height}\n{maxval}\n"), .. raster];

    private static byte[] Wide(int[] samples) => samples.SelectMany(v => new[] { (byte)(v >> 8), (byte)v }).ToArray();

    private static byte[] EncodeBmp(int bits, bool topDown)
    {
        int bpp = bits / 8;
        int stride = ((Width * bits) + 31) / 32 * 4;
        var file = new byte[54 + (stride * Height)];
        file[0] = (byte)'B';
        file[1] = (byte)'M';
        BinaryPrimitives.WriteInt32LittleEndian(file.AsSpan(2), file.Length);
        BinaryPrimitives.WriteInt32LittleEndian(file.AsSpan(10), 54);
        BinaryPrimitives.WriteInt32LittleEndian(file.AsSpan(14), 40);
        BinaryPrimitives.WriteInt32LittleEndian(file.AsSpan(18), Width);
        BinaryPrimitives.WriteInt32LittleEndian(file.AsSpan(22), topDown ? -Height : Height);
        BinaryPrimitives.WriteInt16LittleEndian(file.AsSpan(26), 1);
        BinaryPrimitives.WriteInt16LittleEndian(file.AsSpan(28), (short)bits);
        for (int y = 0; y < Height; y++)
        {
            int row = 54 + ((topDown ? y : Height - 1 - y) * stride);
            for (int x = 0; x < Width; x++)
            {
                int p = ((y * Width) + x) * 3;
                file[row + (x * bpp)] = Rgb[p + 2];
                file[row + (x * bpp) + 1] = Rgb[p + 1];
                file[row + (x * bpp) + 2] = Rgb[p];
                if (bpp == 4)
                {
                    file[row + (x * bpp) + 3] = 0x5A;
                }
            }
        }

        return file;
    }
}

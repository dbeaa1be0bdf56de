using System.Buffers.Binary;
using System.Text;
using CrossVit.Imaging;
using CrossVit.Runtime.Config;
using CrossVit.Weights;
using FsCheck;
using FsCheck.Fluent;
using Xunit;

namespace CrossVit.Tests.Fuzzing;

/// <summary>
/// The seven fuzzed formats. Each mixes mutations of valid seeds (three parts) with structured generated files (one).
/// <para>
/// Allocation bounds, per case, measured on the reading thread:
/// <list type="bullet">
/// <item>Tensor files and configs: 64 × the input length + 4 MiB. Everything a reader builds is proportional to the
/// input (a copy of the data, float32 conversion of at most 4 bytes per input byte, JSON documents and per-tensor
/// records of a few hundred bytes per entry of at least ~30 header bytes); the constant covers type initialisation
/// and the stream reader's 1 MiB copy chunk. A length or shape field that is believed before it is checked against
/// the input breaks it at once.</item>
/// <item>Images: 64 × the input length + 24 × the pixels the header declares (capped by the decode limits, which are
/// checked before any pixel buffer exists) + 1 MiB. 24 bytes a pixel cover the RGB output (3), PNG's unfiltered
/// scanlines (up to 8 at 16-bit RGBA) and the inflater's growing buffer, or JPEG's planes, upsampled planes and
/// progressive coefficients (2 bytes each) of up to three components; for JPEG the pixels are counted padded to
/// whole 32-pixel MCUs. A decoder sizing a buffer by an unchecked chunk length, a marker count or a palette
/// breaks it.</item>
/// </list>
/// </para>
/// </summary>
internal static class FuzzTargets
{
    private const long MiB = 1 << 20;

    /// <summary>Tighter than the defaults so that a header declaring the maximum still decodes in milliseconds.</summary>
    public static readonly DecodeLimits Limits = new(MaxWidth: 4096, MaxHeight: 4096, MaxPixels: 1_000_000);

    public static FuzzTarget Safetensors { get; } = new("safetensors",
        Mix(Mutator.Mutations(Seeds.Safetensors), Generators.Safetensors()),
        bytes =>
        {
            using var file = SafetensorsFile.FromBytes(bytes);
            foreach (var t in file.Tensors.Where(t => DTypes.IsFloatingPoint(t.DType)))
                Assert.Equal(t.ElementCount, file.ReadFloat32(t.Name).Length);
        },
        typeof(TensorFormatException), TensorBound);

    public static FuzzTarget Npy { get; } = new(".npy",
        Mix(Mutator.Mutations(Seeds.Npy), Generators.Npy()),
        bytes =>
        {
            var array = CrossVit.Weights.Npy.Parse(bytes);
            Assert.Equal(array.ElementCount, array.ToFloat32().Length);
            // The stream reader must agree with the span parser, and stop where the array ends.
            using var stream = new MemoryStream(bytes);
            Assert.Equal(array.Shape, CrossVit.Weights.Npy.Read(stream).Shape);
        },
        typeof(TensorFormatException), TensorBound);

    public static FuzzTarget Config { get; } = new("config JSON",
        Mix(Mutator.Mutations(Seeds.Config), Generators.ConfigJson()),
        bytes =>
        {
            var config = CrossVitConfigJson.Parse(Encoding.UTF8.GetString(bytes));
            try
            {
                Assert.Equal(config, CrossVitConfigJson.Parse(CrossVitConfigJson.Write(config)));
            }
            catch (Exception e)
            {
                // Not an ArgumentException: a config that was accepted must be written and read back unchanged.
                throw new InvalidOperationException($"An accepted config did not survive Write and Parse: {e.Message}", e);
            }
        },
        typeof(ArgumentException), TensorBound);

    public static FuzzTarget Png { get; } = Image("PNG", Mutator.Mutations(Seeds.Png, FixPngCrcs), Generators.Png(), DeclaredPng);

    public static FuzzTarget Jpeg { get; } = Image("JPEG", Mutator.Mutations(Seeds.Jpeg), Generators.Jpeg(), DeclaredJpeg);

    public static FuzzTarget Bmp { get; } = Image("BMP", Mutator.Mutations(Seeds.Bmp), Generators.Bmp(), DeclaredBmp);

    public static FuzzTarget Pnm { get; } = Image("PPM/PGM", Mutator.Mutations(Seeds.Pnm), Generators.Pnm(), DeclaredPnm);

    private static Gen<byte[]> Mix(Gen<byte[]> mutations, Gen<byte[]> generated) => Gen.Frequency((3, mutations), (1, generated));

    private static long TensorBound(byte[] input) => 64L * input.Length + 4 * MiB;

    private static FuzzTarget Image(string format, Gen<byte[]> mutations, Gen<byte[]> generated, Func<byte[], long> declaredPixels) =>
        new(format, Mix(mutations, generated), bytes =>
        {
            var image = ImageDecoder.Decode(bytes, Limits);
            Assert.Equal((long)image.Width * image.Height * 3, image.Pixels.LongLength);
        },
        typeof(ImageFormatException),
        bytes => 64L * bytes.Length + 24 * Math.Min(declaredPixels(bytes), Limits.MaxPixels) + MiB);

    /// <summary>The largest IHDR anywhere in the file: a mutated file may have its chunk in an odd place.</summary>
    private static long DeclaredPng(byte[] png)
    {
        long pixels = 0;
        for (int i = png.AsSpan().IndexOf("IHDR"u8); i >= 0 && i + 12 <= png.Length; i = Next(png, i, "IHDR"u8))
            pixels = Math.Max(pixels, (long)BinaryPrimitives.ReadUInt32BigEndian(png.AsSpan(i + 4)) * BinaryPrimitives.ReadUInt32BigEndian(png.AsSpan(i + 8)));
        return pixels;
    }

    /// <summary>The largest frame header (SOF0..SOF2) anywhere in the file, padded to whole 32-pixel MCUs.</summary>
    private static long DeclaredJpeg(byte[] jpeg)
    {
        long pixels = 0;
        for (int i = 0; i + 9 <= jpeg.Length; i++)
        {
            if (jpeg[i] != 0xFF || jpeg[i + 1] is not (0xC0 or 0xC1 or 0xC2)) continue;
            long height = BinaryPrimitives.ReadUInt16BigEndian(jpeg.AsSpan(i + 5)), width = BinaryPrimitives.ReadUInt16BigEndian(jpeg.AsSpan(i + 7));
            pixels = Math.Max(pixels, (height + 31) / 32 * 32 * ((width + 31) / 32 * 32));
        }
        return pixels;
    }

    /// <summary>Width × height read both as the info header's 32-bit and the core header's 16-bit fields.</summary>
    private static long DeclaredBmp(byte[] bmp)
    {
        if (bmp.Length < 26) return 0;
        long info = Math.Abs((long)BinaryPrimitives.ReadInt32LittleEndian(bmp.AsSpan(18)) * BinaryPrimitives.ReadInt32LittleEndian(bmp.AsSpan(22)));
        long core = (long)BinaryPrimitives.ReadUInt16LittleEndian(bmp.AsSpan(18)) * BinaryPrimitives.ReadUInt16LittleEndian(bmp.AsSpan(20));
        return Math.Max(info, core);
    }

    /// <summary>The product of the header's first two numbers (width and height).</summary>
    private static long DeclaredPnm(byte[] pnm)
    {
        var numbers = System.Text.RegularExpressions.Regex.Matches(Encoding.Latin1.GetString(pnm, 0, Math.Min(pnm.Length, 256)), "[0-9]+");
        // numbers[0] is the magic's digit.
        return numbers.Count >= 3 && long.TryParse(numbers[1].Value, out long w) && long.TryParse(numbers[2].Value, out long h)
            ? (w > int.MaxValue || h > int.MaxValue ? long.MaxValue : w * h) : 0;
    }

    private static int Next(byte[] data, int after, ReadOnlySpan<byte> what)
    {
        int i = data.AsSpan(after + 1).IndexOf(what);
        return i < 0 ? -1 : after + 1 + i;
    }

    /// <summary>Recomputes every chunk's CRC, so that a mutation reaches IHDR validation, zlib and unfiltering.</summary>
    private static byte[] FixPngCrcs(byte[] png)
    {
        for (int pos = 8; pos + 12 <= png.Length;)
        {
            long length = BinaryPrimitives.ReadUInt32BigEndian(png.AsSpan(pos));
            if (pos + 12 + length > png.Length) break;
            uint crc = Imaging.TestPngEncoder.Crc(png[(pos + 4)..(pos + 8 + (int)length)]);
            BinaryPrimitives.WriteUInt32BigEndian(png.AsSpan(pos + 8 + (int)length), crc);
            pos += 12 + (int)length;
        }
        return png;
    }
}

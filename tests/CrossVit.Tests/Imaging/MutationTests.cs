using CrossVit.Imaging;
using FsCheck;
using FsCheck.Fluent;
using Xunit;

namespace CrossVit.Tests.Imaging;

/// <summary>Byte flips and truncations of real files must either decode or raise <see cref="ImageFormatException"/>.</summary>
public sealed class MutationTests
{
    // Tighter limits keep a mutated size field from making a case slow; they are part of what is tested.
    private static readonly DecodeLimits Limits = new(4096, 4096, 4_000_000);

    [Fact]
    public void MutatedPngFailsCleanly() => Check("chelsea.png", fixCrc: false);

    /// <summary>With CRCs recomputed, mutations reach IHDR validation, zlib and the unfiltering code.</summary>
    [Fact]
    public void MutatedPngWithValidCrcsFailsCleanly() => Check("chelsea.png", fixCrc: true);

    [Fact]
    public void MutatedBaselineJpegFailsCleanly() => Check("hubble_deep_field.jpg", fixCrc: false, cases: 50);

    [Fact]
    public void MutatedProgressiveJpegFailsCleanly() => Check("astronaut_progressive.jpg", fixCrc: false);

    private static void Check(string name, bool fixCrc, int cases = 200)
    {
        byte[] original = File.ReadAllBytes(GoldenImageTests.GoldenPath(name));

        // Bias towards the headers, where most of the parsing logic lives.
        Gen<int> position = Gen.Frequency(
            (3, Gen.Choose(0, Math.Min(original.Length, 1024) - 1)),
            (1, Gen.Choose(0, original.Length - 1)));
        Gen<(int Position, byte Value, int Flips, bool Truncate)> mutation =
            from p in position
            from v in Gen.Choose(0, 255)
            from n in Gen.Choose(1, 4)
            from t in Gen.Frequency((4, Gen.Constant(false)), (1, Gen.Constant(true)))
            select (p, (byte)v, n, t);

        Prop.ForAll(mutation.ToArbitrary(), m =>
        {
            byte[] data = m.Truncate ? original[..m.Position] : Mutate(original, m.Position, m.Value, m.Flips);
            if (fixCrc)
            {
                FixPngCrcs(data);
            }

            try
            {
                ImageDecoder.Decode(data, Limits);
            }
            catch (ImageFormatException)
            {
            }
        }).Check(Config.QuickThrowOnFailure.WithMaxTest(cases));
    }

    private static byte[] Mutate(byte[] original, int position, byte value, int flips)
    {
        byte[] data = (byte[])original.Clone();
        for (int i = 0; i < flips && position + (i * 7) < data.Length; i++)
        {
            data[position + (i * 7)] ^= (byte)(value | 1);
        }

        return data;
    }

    private static void FixPngCrcs(byte[] png)
    {
        int pos = 8;
        while (pos + 12 <= png.Length)
        {
            long length = System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian(png.AsSpan(pos));
            if (pos + 12 + length > png.Length)
            {
                return;
            }

            uint crc = TestPngEncoder.Crc(png[(pos + 4)..(pos + 8 + (int)length)]);
            System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(png.AsSpan(pos + 8 + (int)length), crc);
            pos += 12 + (int)length;
        }
    }
}

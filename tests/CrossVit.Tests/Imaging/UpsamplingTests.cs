using CrossVit.Imaging.Jpeg;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;

namespace CrossVit.Tests.Imaging;

/// <summary>
/// The 2×1 and 2×2 fancy upsampling, eight columns at a time, gives libjpeg's formulas (<c>jdsample.c</c>'s
/// <c>h2v1_fancy_upsample</c> and <c>h2v2_fancy_upsample</c>) sample by sample, at every width, odd ones included.
/// </summary>
public class UpsamplingTests
{
    [Property(MaxTest = 300)]
    public Property MatchesLibjpegsFormulas() => Prop.ForAll(
        (from inWidth in Gen.Choose(3, 45)
         from inHeight in Gen.Choose(1, 5)
         from vFactor in Gen.Choose(1, 2)
         from oddWidth in Gen.Elements(true, false)
         from oddHeight in Gen.Elements(true, false)
         from seed in Gen.Choose(0, int.MaxValue)
         select (inWidth, inHeight, vFactor, oddWidth, oddHeight, seed)).ToArbitrary(),
        c =>
        {
            int stride = (c.inWidth + 7) / 8 * 8;
            var plane = new byte[stride * c.inHeight];
            new Random(c.seed).NextBytes(plane);   // the padding past inWidth too: it must not leak in
            int width = (2 * c.inWidth) - (c.oddWidth ? 1 : 0);
            int height = c.vFactor == 2 ? (2 * c.inHeight) - (c.oddHeight && c.inHeight > 1 ? 1 : 0) : c.inHeight;
            var actual = new byte[width * height];
            Upsampling.Expand(plane, stride, c.inWidth, c.inHeight, 2, c.vFactor, width, height, actual);
            return actual.AsSpan().SequenceEqual(Reference(plane, stride, c.inWidth, c.inHeight, c.vFactor, width, height));
        });

    /// <summary>The formulas one output sample at a time; edge columns and rows replicated.</summary>
    private static byte[] Reference(byte[] plane, int stride, int inWidth, int inHeight, int vFactor, int width, int height)
    {
        var output = new byte[width * height];
        for (int y = 0; y < height; y++)
        {
            int near = y / vFactor;
            int other = Math.Clamp(y % 2 == 0 ? near - 1 : near + 1, 0, inHeight - 1);
            // 2×2: a vertical triangle (3 : 1) into column sums, then the horizontal one with biases 8 and 7 over 16;
            // 2×1: the samples, with biases 1 and 2 over 4.
            int Column(int x) => vFactor == 2 ? (3 * plane[(near * stride) + x]) + plane[(other * stride) + x] : plane[(y * stride) + x];
            (int even, int odd, int shift) = vFactor == 2 ? (8, 7, 4) : (1, 2, 2);
            for (int outX = 0; outX < width; outX++)
            {
                int x = outX / 2;
                int side = outX % 2 == 0 ? Column(Math.Max(x - 1, 0)) : Column(Math.Min(x + 1, inWidth - 1));
                output[(y * width) + outX] = (byte)(((3 * Column(x)) + side + (outX % 2 == 0 ? even : odd)) >> shift);
            }
        }

        return output;
    }
}

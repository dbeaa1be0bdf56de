using CrossVit.Imaging.Jpeg;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;

namespace CrossVit.Tests.Imaging;

/// <summary>YCbCr → RGB eight pixels at a time gives libjpeg's table lookups bit for bit, at every length.</summary>
public class ColorConversionTests
{
    [Property(MaxTest = 500)]
    public Property MatchesTheTablesPixelByPixel() => Prop.ForAll(
        Gen.Choose(1, 70).SelectMany(n => Gen.ArrayOf(Gen.Choose(0, 255).Select(v => (byte)v), 3 * n)).ToArbitrary(),
        planes =>
        {
            int n = planes.Length / 3;
            var expected = new byte[3 * n];
            var actual = new byte[3 * n];
            ColorConversion.YCbCrToRgbScalar(planes.AsSpan(0, n), planes.AsSpan(n, n), planes.AsSpan(2 * n, n), expected);
            ColorConversion.YCbCrToRgb(planes.AsSpan(0, n), planes.AsSpan(n, n), planes.AsSpan(2 * n, n), actual);
            return expected.AsSpan().SequenceEqual(actual);
        });
}

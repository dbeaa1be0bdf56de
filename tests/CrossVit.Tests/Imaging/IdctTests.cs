using CrossVit.Imaging.Jpeg;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;

namespace CrossVit.Tests.Imaging;

/// <summary>The vector IDCT gives libjpeg's samples (<see cref="IdctReference"/>) bit for bit, and writes only its 8×8 block.</summary>
public class IdctTests
{
    /// <summary>
    /// A coefficient: mostly zero, as in real blocks (so whole columns and rows take libjpeg's shortcuts), else small,
    /// else anything a corrupt file can hold (where the arithmetic wraps).
    /// </summary>
    private static Gen<short> Coefficient() => Gen.Frequency(
        (12, Gen.Constant((short)0)),
        (6, Gen.Choose(-64, 64).Select(v => (short)v)),
        (2, Gen.Choose(short.MinValue, short.MaxValue).Select(v => (short)v)));

    private static Gen<ushort> Quantiser() => Gen.Frequency(
        (4, Gen.Choose(1, 255).Select(v => (ushort)v)),
        (1, Gen.Choose(0, ushort.MaxValue).Select(v => (ushort)v)));

    private static Gen<(short[] Coefficients, ushort[] Quant, int Stride)> Blocks() =>
        from coefficients in Gen.ArrayOf(Coefficient(), 64)
        from dcOnly in Gen.Frequency((1, Gen.Constant(true)), (5, Gen.Constant(false)))
        from quant in Gen.ArrayOf(Quantiser(), 64)
        from stride in Gen.Choose(8, 20)
        select (dcOnly ? [coefficients[0], .. new short[63]] : coefficients, quant, stride);

    [Property(MaxTest = 2000)]
    public Property MatchesLibjpegsScalarIdctAndWritesOnlyTheBlock() => Prop.ForAll(Blocks().ToArbitrary(), block =>
    {
        var (coefficients, quant, stride) = block;
        int length = (7 * stride) + 8 + 5;   // room past the last row, which must stay untouched
        var expected = Enumerable.Repeat((byte)0xA5, length).ToArray();
        var actual = (byte[])expected.Clone();
        IdctReference.Transform(coefficients, quant, expected, stride);
        Idct.Transform(coefficients, quant, actual, stride);
        return expected.AsSpan().SequenceEqual(actual);
    });
}

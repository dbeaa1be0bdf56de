using CrossVit.Runtime.Kernels;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Xunit;
using static CrossVit.Tests.Kernels.KernelTestSupport;

namespace CrossVit.Tests.Kernels;

public class AddInPlaceTests
{
    private static readonly Gen<(int Length, bool LongerX, int Seed)> Shapes =
        from length in Dim(700, 1, 4, 8, 16, 32, 96, 128, 256)
        from longerX in Gen.Elements(true, false)
        from seed in Seed
        select (length, longerX, seed);

    /// <summary>x[i] + y[i] rounds once in any width: every element, vector body and tail, equals the float sum; x past y's length is left alone.</summary>
    [Property(MaxTest = Cases)]
    public Property AddInPlaceEqualsTheFloatSum() =>
        OnEveryIsa(Shapes, (kernels, c) =>
        {
            var random = new Random(c.Seed);
            var x = RandomArray(random, c.Length + (c.LongerX ? 5 : 0), 4f);
            var y = RandomArray(random, c.Length, 4f);
            var want = (float[])x.Clone();
            for (var i = 0; i < y.Length; i++)
            {
                want[i] = x[i] + y[i];
            }

            kernels.AddInPlace(x, y);
            Assert.True(want.AsSpan().SequenceEqual(x), $"{c}");
        });

    [Fact]
    public void ShortXIsRefusedWithTheSizesItNeeds()
    {
        var kernels = KernelSet.Create(Isa.Scalar);
        var e = Assert.Throws<ArgumentException>(() => kernels.AddInPlace(new float[3], new float[4]));
        Assert.Contains("x has 3 floats; it needs y's 4", e.Message);
    }
}

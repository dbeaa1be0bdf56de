using CrossVit.Runtime.Kernels;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Xunit;
using static CrossVit.Tests.Kernels.KernelTestSupport;

namespace CrossVit.Tests.Kernels;

public class ResizeTests
{
    public static TheoryData<Isa> Isas => SupportedIsas();

    /// <summary>Sizes out of range are named in an <see cref="ArgumentException"/>, before any workspace is sized from them.</summary>
    [Fact]
    public void ResizeWithANegativeSizeThrowsArgumentException()
    {
        var error = Assert.Throws<ArgumentException>(() =>
            KernelSet.Create(Isa.Scalar).Resize(new float[16], 1, 4, 4, new float[16], 4, -3, ResizeMode.Bicubic));
        Assert.Contains("4×-3", error.Message);
    }

    private static readonly Gen<(int Planes, int InH, int InW, int OutH, int OutW, ResizeMode Mode, int Seed)> Shapes =
        from planes in Gen.Choose(1, 3)
        from inH in Dim(40, 1, 2, 14, 16, 24)
        from inW in Dim(40, 1, 2, 14, 16, 24)
        from outH in Dim(40, 1, 2, 14, 16, 24)
        from outW in Dim(40, 1, 2, 14, 16, 24)
        from mode in Gen.Elements(ResizeMode.Bicubic, ResizeMode.Bilinear)
        from seed in Seed
        select (planes, inH, inW, outH, outW, mode, seed);

    [Property(MaxTest = Cases)]
    public Property ResizeMatchesDoubleReferenceOfTorchAlgorithm() => OnEveryIsa(Shapes, AssertMatchesReference);

    /// <summary>A downscale FsCheck found while the reference took the source coordinate in double, unlike torch.</summary>
    [Theory]
    [MemberData(nameof(Isas))]
    public void DownscaleTakesTheSourceCoordinateInFloatAsTorch(Isa isa) =>
        AssertMatchesReference(KernelSet.Create(isa), (3, 25, 37, 14, 31, ResizeMode.Bicubic, 1858934466));

    /// <summary>
    /// Widths whose taps the vector path permutes from two loaded vectors (a vector of columns spans under two vectors
    /// of the row: the branch resize 240 → 224, an upscale) and widths it must gather (240 → 100 spans 2.4 times as many).
    /// </summary>
    [Theory]
    [InlineData(240, 224, ResizeMode.Bicubic)]
    [InlineData(240, 224, ResizeMode.Bilinear)]
    [InlineData(40, 70, ResizeMode.Bicubic)]
    [InlineData(240, 100, ResizeMode.Bicubic)]
    [InlineData(240, 100, ResizeMode.Bilinear)]
    public void PermutedAndGatheredTapsMatchTheReference(int inW, int outW, ResizeMode mode)
    {
        foreach (var isa in KernelTestSupport.Isas)
        {
            var failure = Record.Exception(() => AssertMatchesReference(KernelSet.Create(isa), (2, 9, inW, 5, outW, mode, inW + outW)));
            Assert.True(failure is null, $"{isa}: {failure?.Message}");
        }
    }

    private static void AssertMatchesReference(KernelSet kernels, (int Planes, int InH, int InW, int OutH, int OutW, ResizeMode Mode, int Seed) c)
    {
        var src = RandomArray(new Random(c.Seed), c.Planes * c.InH * c.InW);
        var dst = new float[c.Planes * c.OutH * c.OutW];
        kernels.Resize(src, c.Planes, c.InH, c.InW, dst, c.OutH, c.OutW, c.Mode);
        var want = ReferenceKernels.Resize(src, c.Planes, c.InH, c.InW, c.OutH, c.OutW, c.Mode == ResizeMode.Bicubic);
        for (var i = 0; i < want.Length; i++)
        {
            Assert.True(Math.Abs(dst[i] - want[i]) <= 1e-5, $"{c}: [{i}] = {dst[i]}, want {want[i]}");
        }
    }

    // Values worked out by hand from torch's formulas (half-pixel source x = (o + ½)·in/out − ½; cubic A = −0.75).
    [Theory]
    [InlineData(ResizeMode.Bilinear, new float[] { 0, 1 }, new float[] { 0, 0.25f, 0.75f, 1 })]
    [InlineData(ResizeMode.Bilinear, new float[] { 0, 1, 2, 3 }, new float[] { 0.5f, 2.5f })]
    [InlineData(ResizeMode.Bicubic, new float[] { 0, 1 }, new float[] { -0.10546875f, 0.2265625f, 0.7734375f, 1.10546875f })]
    [InlineData(ResizeMode.Bicubic, new float[] { 0, 1, 2, 3 }, new float[] { 0.40625f, 2.59375f })]
    [InlineData(ResizeMode.Bicubic, new float[] { 5, 5, 5 }, new float[] { 5, 5, 5, 5, 5 })]
    public void KnownValuesAlongOneAxis(ResizeMode mode, float[] input, float[] expected)
    {
        foreach (var kernels in SupportedKernelSets)
        {
            var rowResult = new float[expected.Length];
            kernels.Resize(input, 1, 1, input.Length, rowResult, 1, expected.Length, mode);
            var columnResult = new float[expected.Length];
            kernels.Resize(input, 1, input.Length, 1, columnResult, expected.Length, 1, mode);
            for (var i = 0; i < expected.Length; i++)
            {
                Assert.Equal(expected[i], rowResult[i], 1e-5f);
                Assert.Equal(expected[i], columnResult[i], 1e-5f);
            }
        }
    }
}

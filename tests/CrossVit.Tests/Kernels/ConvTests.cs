using CrossVit.Runtime.Kernels;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Xunit;
using static CrossVit.Tests.Kernels.KernelTestSupport;

namespace CrossVit.Tests.Kernels;

public class ConvTests
{
    private static readonly Gen<(int InH, int InW, int Cin, int Cout, int Kh, int Kw, int Stride, int Pad, bool Relu, int Seed)> Shapes =
        from cin in Gen.Choose(1, 9)
        from cout in Dim(70, 8, 16, 32, 64)
        from kh in Gen.Choose(1, 7)
        from kw in Gen.OneOf(Gen.Constant(kh), Gen.Choose(1, 7))
        from stride in Gen.OneOf(Gen.Constant(kh), Gen.Choose(1, 4))
        from pad in Gen.Choose(0, 3)
        from inH in Gen.Choose(Math.Max(1, kh - (2 * pad)), 20)
        from inW in Gen.Choose(Math.Max(1, kw - (2 * pad)), 20)
        from relu in Gen.Elements(true, false)
        from seed in Seed
        select (inH, inW, cin, cout, kh, kw, stride, pad, relu, seed);

    [Property(MaxTest = Cases)]
    public Property Conv2dMatchesDoubleReference() =>
        OnEveryIsa(Shapes, Check);

    /// <summary>
    /// The presets' input convolutions on small images: K sliced into whole kernel rows (k12 s12 on 3 channels, 432
    /// columns) or not (k16 s16, 768), and the dagger stem's first (k7 s4 p3), whose inner pixels copy whole rows and
    /// whose border pixels are clipped.
    /// </summary>
    [Theory]
    [InlineData(36, 36, 12, 12, 0)]
    [InlineData(32, 48, 16, 16, 0)]
    [InlineData(29, 31, 7, 4, 3)]
    public void Conv2dMatchesDoubleReferenceOnPresetShapes(int inH, int inW, int kernel, int stride, int pad)
    {
        foreach (var kernels in SupportedKernelSets)
        {
            Check(kernels, (inH, inW, 3, 24, kernel, kernel, stride, pad, true, inH + (7 * inW) + kernel));
        }
    }

    private static void Check(KernelSet kernels, (int InH, int InW, int Cin, int Cout, int Kh, int Kw, int Stride, int Pad, bool Relu, int Seed) c)
    {
        var random = new Random(c.Seed);
        var x = RandomArray(random, c.InH * c.InW * c.Cin);
        var w = RandomArray(random, c.Cout * c.Cin * c.Kh * c.Kw);
        var bias = RandomArray(random, c.Cout);
        var (outH, outW) = KernelSet.ConvOutputSize(c.InH, c.InW, c.Kh, c.Kw, c.Stride, c.Pad);
        var y = new float[outH * outW * c.Cout];
        kernels.Conv2d(x, c.InH, c.InW, kernels.PackConv(w, c.Cout, c.Cin, c.Kh, c.Kw), c.Stride, c.Pad, bias, y, c.Relu ? Epilogue.Relu : Epilogue.None);

        var (want, magnitude) = ReferenceKernels.Conv2d(x, c.InH, c.InW, c.Cin, w, c.Cout, c.Kh, c.Kw, c.Stride, c.Pad, bias);
        if (c.Relu)
        {
            want = want.Select(v => Math.Max(v, 0)).ToArray();
        }

        AssertClose(y, want, magnitude, 1e-5, 1e-6, $"{kernels.Isa}: {c}");
    }

    [Theory]
    [InlineData(240, 7, 4, 3, 60)]
    [InlineData(60, 3, 3, 0, 20)]
    [InlineData(20, 3, 1, 1, 20)]
    [InlineData(56, 3, 2, 1, 28)]
    [InlineData(240, 16, 16, 0, 15)]
    public void OutputSizeMatchesTorch(int input, int kernel, int stride, int pad, int expected) =>
        Assert.Equal((expected, expected), KernelSet.ConvOutputSize(input, input, kernel, kernel, stride, pad));
}

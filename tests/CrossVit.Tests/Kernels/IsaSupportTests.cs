using System.Runtime.InteropServices;
using CrossVit.Runtime.Kernels;
using Xunit;

namespace CrossVit.Tests.Kernels;

public class IsaSupportTests
{
    [Theory]
    [InlineData("avx512", Isa.Avx512)]
    [InlineData("AVX2", Isa.Avx2)]
    [InlineData(" V128 ", Isa.V128)]
    [InlineData("NEON", Isa.Neon)]
    [InlineData("Scalar", Isa.Scalar)]
    public void ParsesNamesCaseInsensitively(string text, Isa expected) => Assert.Equal(expected, IsaSupport.Parse(text));

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("  ")]
    public void UnsetMeansNoPreference(string? text) => Assert.Null(IsaSupport.Parse(text));

    [Fact]
    public void UnknownNameListsValidValues()
    {
        var error = Assert.Throws<ArgumentException>(() => IsaSupport.Parse("sse9"));
        Assert.Contains("sse9", error.Message, StringComparison.Ordinal);
        Assert.Contains("avx512, avx2, neon, v128, scalar", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ResolveOrder()
    {
        Assert.Equal(Isa.Scalar, IsaSupport.Resolve(Isa.Scalar, "avx2"));
        Assert.Equal(Isa.Scalar, IsaSupport.Resolve(null, "scalar"));
        Assert.Equal(IsaSupport.Best, IsaSupport.Resolve(null, null));
        Assert.Throws<ArgumentException>(() => IsaSupport.Resolve(null, "bogus"));
    }

    [Fact]
    public void NeonIsNamedOnArm64AndTheBest128BitPathThere()
    {
        var arm64 = RuntimeInformation.ProcessArchitecture == Architecture.Arm64;
        Assert.Equal(arm64, IsaSupport.IsSupported(Isa.Neon));
        if (arm64)
        {
            Assert.Equal(Isa.Neon, IsaSupport.Best);
        }
    }

    [Fact]
    public void UnsupportedIsaIsRejected()
    {
        foreach (var isa in Enum.GetValues<Isa>().Where(i => !IsaSupport.IsSupported(i)))
        {
            Assert.Throws<InvalidOperationException>(() => IsaSupport.Resolve(isa, null));
            Assert.Throws<InvalidOperationException>(() => KernelSet.Create(isa));
        }

        Assert.True(IsaSupport.IsSupported(Isa.Scalar));
        Assert.True(IsaSupport.IsSupported(IsaSupport.Best));
    }
}

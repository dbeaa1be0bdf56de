using System.Runtime.Intrinsics;
using CrossVit.Runtime.Kernels;
using CrossVit.Runtime.Kernels.Simd;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Xunit;
using static CrossVit.Tests.Kernels.KernelTestSupport;

namespace CrossVit.Tests.Kernels;

/// <summary>
/// What only arm64 can check: the NEON-only code against the portable 128-bit path it replaces, which the shared kernel
/// tests check against the double-precision references on the same machine.
/// </summary>
public class NeonTests
{
    [Fact]
    public void RunsOnNeon()
    {
        Assert.True(IsaSupport.IsSupported(Isa.Neon), "this build runs where AdvSimd.Arm64 is supported");
        Assert.Equal(Isa.Neon, IsaSupport.Best);
        Assert.Equal(Isa.Neon, IsaSupport.Resolve(null, "neon"));
    }

    /// <summary>
    /// The by-element micro-kernel adds the same products in the same order as the portable one, so Linear agrees bit
    /// for bit on the shapes of <see cref="LinearTests"/> (8-row tiles and their ragged edges, K slices, kc mod 4 tails).
    /// </summary>
    [Property(MaxTest = Cases)]
    public Property GemmEqualsThePortableKernelBitForBit()
    {
        var neon = KernelSet.Create(Isa.Neon);
        var portable = KernelSet.Create(Isa.V128);
        return Prop.ForAll(LinearTests.Shapes.ToArbitrary(), c =>
        {
            var random = new Random(c.Seed);
            var x = RandomArray(random, c.Rows * c.In);
            var w = RandomArray(random, c.Out * c.In);
            var bias = c.Bias ? RandomArray(random, c.Out) : null;
            var y0 = RandomArray(random, c.Rows * c.Out);
            var want = (float[])y0.Clone();
            var got = (float[])y0.Clone();
            portable.Linear(x, c.Rows, portable.PackLinear(w, c.Out, c.In), bias, want, c.Epilogue);
            neon.Linear(x, c.Rows, neon.PackLinear(w, c.Out, c.In), bias, got, c.Epilogue);
            Assert.Equal(want, got);
        });
    }

    [Property(MaxTest = Cases)]
    public unsafe Property GatherAndMaxAcrossEqualThePortableOnes()
    {
        var gen = from length in Gen.Choose(4, 64)
                  from seed in Seed
                  select (length, seed);
        return Prop.ForAll(gen.ToArbitrary(), c =>
        {
            var random = new Random(c.seed);
            var source = RandomArray(random, c.length, 100f);
            var indices = new[] { random.Next(c.length), random.Next(c.length), random.Next(c.length), random.Next(c.length) };
            fixed (float* s = source)
            fixed (int* i = indices)
            {
                var gathered = SimdNeon.Gather(s, i);
                Assert.Equal(Simd128.Gather(s, i), gathered);
                Assert.Equal(Simd128.MaxAcross(gathered), SimdNeon.MaxAcross(gathered));
                Assert.Equal(Simd128.MaxAcross(Vector128.Load(s)), SimdNeon.MaxAcross(Vector128.Load(s)));
            }
        });
    }
}

using CrossVit.Runtime.Kernels;
using CrossVit.Runtime.Kernels.Simd;
using Xunit;
using static CrossVit.Tests.Kernels.KernelTestSupport;

namespace CrossVit.Tests.Kernels;

/// <summary>
/// The sums' driver (<see cref="Reduction"/>, here through the dot product) and the weighted row sum at every length
/// up to a few vectors of the widest ISA, so every remainder of every width is an overlapping last vector once.
/// </summary>
public class ReductionTests
{
    public static TheoryData<Isa> Isas => SupportedIsas();

    /// <summary><c>ClearFirst</c> sets the first lanes to +0 bit for bit, NaN and ∞ included, and leaves the rest alone.</summary>
    [Theory]
    [MemberData(nameof(Isas))]
    public void ClearFirstZeroesTheFirstLanesOnly(Isa isa) => OnSimdOf(isa, default(ClearsFirst));

    /// <summary>Σ x·y within n rounding errors of the exact sum of |x·y|, for every length from 0 to 70.</summary>
    [Theory]
    [MemberData(nameof(Isas))]
    public void DotMatchesTheExactSumAtEveryLength(Isa isa) => OnSimdOf(isa, default(Dots));

    /// <summary>
    /// An ∞ among the elements a remainder's vector overlaps is counted once, as +∞: the overlap is cleared bit by bit,
    /// where multiplying it by 0 would make NaN.
    /// </summary>
    [Theory]
    [MemberData(nameof(Isas))]
    public void DotCountsAnInfinityInTheOverlapOnce(Isa isa) => OnSimdOf(isa, default(InfiniteDots));

    /// <summary>Each output column is its chain of FMAs over the weighted rows, bit for bit, at every width from 0 to 70; nothing past it is written.</summary>
    [Theory]
    [MemberData(nameof(Isas))]
    public void WeightedRowSumMatchesTheFmaChainAtEveryWidth(Isa isa) => OnSimdOf(isa, default(WeightedSums));

    private readonly struct ClearsFirst : ISimdCheck
    {
        public unsafe void Run<TSimd, TVec>()
            where TSimd : ISimd<TVec>
            where TVec : struct
        {
            var count = TSimd.Count;
            var values = Enumerable.Range(0, count).Select(i => i switch { 0 => float.NaN, 1 => float.NegativeInfinity, 2 => -0f, _ => i - 7.5f }).ToArray();
            var result = new float[count];
            for (var lanes = 0; lanes < count; lanes++)
            {
                fixed (float* v = values)
                fixed (float* r = result)
                {
                    TSimd.Store(TSimd.ClearFirst(TSimd.Load(v), lanes), r);
                }

                for (var lane = 0; lane < count; lane++)
                {
                    var want = lane < lanes ? 0 : BitConverter.SingleToInt32Bits(values[lane]);
                    Assert.True(BitConverter.SingleToInt32Bits(result[lane]) == want, $"{typeof(TSimd).Name}: ClearFirst({lanes}) lane {lane} = {result[lane]}, want bits {want:X8}");
                }
            }
        }
    }

    private readonly struct Dots : ISimdCheck
    {
        public unsafe void Run<TSimd, TVec>()
            where TSimd : ISimd<TVec>
            where TVec : struct
        {
            var random = new Random(TSimd.Count);
            for (var n = 0; n <= 70; n++)
            {
                // Positive terms, so the bound is relative to the sum itself and a lane counted twice shows.
                var x = RandomArray(random, n, 1f, 1.5f);
                var y = RandomArray(random, n, 1f, 1.5f);
                float dot;
                fixed (float* px = x)
                fixed (float* py = y)
                {
                    dot = DotProducts.Dot<TSimd, TVec>(px, py, n);
                }

                var exact = Enumerable.Range(0, n).Sum(i => (double)x[i] * y[i]);
                var bound = (n + 1) * Math.ScaleB(1, -24) * exact;
                Assert.True(Math.Abs(dot - exact) <= bound, $"{typeof(TSimd).Name}, n {n}: dot {dot}, exact {exact}");
            }
        }
    }

    private readonly struct InfiniteDots : ISimdCheck
    {
        public unsafe void Run<TSimd, TVec>()
            where TSimd : ISimd<TVec>
            where TVec : struct
        {
            // n just past a whole number of vectors: the last vector overlaps all but one of the elements before it.
            var n = (2 * TSimd.Count) + 1;
            for (var at = 0; at < n; at++)
            {
                var x = Enumerable.Repeat(1f, n).ToArray();
                var y = Enumerable.Repeat(2f, n).ToArray();
                x[at] = float.PositiveInfinity;
                float dot;
                fixed (float* px = x)
                fixed (float* py = y)
                {
                    dot = DotProducts.Dot<TSimd, TVec>(px, py, n);
                }

                Assert.True(float.IsPositiveInfinity(dot), $"{typeof(TSimd).Name}: dot with ∞ at {at} of {n} = {dot}, want +∞");
            }
        }
    }

    private readonly struct WeightedSums : ISimdCheck
    {
        public unsafe void Run<TSimd, TVec>()
            where TSimd : ISimd<TVec>
            where TVec : struct
        {
            var random = new Random(TSimd.Count + 1);
            const int count = 5;
            for (var n = 0; n <= 70; n++)
            {
                var ld = n + 3;
                var weight = RandomArray(random, count);
                var rows = RandomArray(random, count * ld);
                var output = Enumerable.Repeat(float.NaN, n + 1).ToArray();
                fixed (float* w = weight)
                fixed (float* r = rows)
                fixed (float* o = output)
                {
                    DotProducts.WeightedRowSum<TSimd, TVec>(w, r, ld, count, n, o);
                }

                for (var c = 0; c < n; c++)
                {
                    var want = 0f;
                    for (var j = 0; j < count; j++)
                    {
                        want = MathF.FusedMultiplyAdd(weight[j], rows[(j * ld) + c], want);
                    }

                    Assert.True(output[c] == want, $"{typeof(TSimd).Name}, n {n}: column {c} = {output[c]}, want {want}");
                }

                Assert.True(float.IsNaN(output[n]), $"{typeof(TSimd).Name}, n {n}: a column past n was written");
            }
        }
    }
}

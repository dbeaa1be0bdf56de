using CrossVit.Runtime.Kernels;
using CrossVit.Runtime.Kernels.Simd;
using Xunit;
using static CrossVit.Tests.Kernels.KernelTestSupport;

namespace CrossVit.Tests.Kernels;

/// <summary>Vector operations checked directly on every ISA, where the kernels use them on some only.</summary>
public class SimdTests
{
    public static TheoryData<Isa> Isas => SupportedIsas();

    /// <summary>
    /// The kernels permute only with 8 or 16 lanes; every width's <c>Permute</c> takes each lane, bit for bit (−0 and a
    /// NaN payload among the values), from the vector its index names.
    /// </summary>
    [Theory]
    [MemberData(nameof(Isas))]
    public void PermuteTakesEachLaneFromTheVectorItsIndexNames(Isa isa) => OnSimdOf(isa, default(Permutes));

    /// <summary>
    /// <c>Pow2Split</c>, which 2ˣ reduces its argument with, gives r = x − ⌊x⌋ in every lane, in [0, 1] (exact wherever
    /// that is a float, else within half an ulp of 1: a small negative x, whose distance above −1 rounds), and an
    /// exponent that <c>ScaleByPow2</c> turns into 2^⌊x⌋ (AVX-512 hands x itself on, as its scale floors it).
    /// </summary>
    [Theory]
    [MemberData(nameof(Isas))]
    public void Pow2SplitGivesTheDistanceAboveTheFloorAndTheFloorsPower(Isa isa) => OnSimdOf(isa, default(Pow2Splits));

    /// <summary>
    /// <c>ScaleByPow2</c> multiplies by 2ⁿ exactly for integral n from −126 to 127 and gives +∞ from 128 on.
    /// </summary>
    [Theory]
    [MemberData(nameof(Isas))]
    public void ScaleByPow2MultipliesByTwoToTheN(Isa isa) => OnSimdOf(isa, default(Pow2Scales));

    private readonly struct Pow2Splits : ISimdCheck
    {
        public unsafe void Run<TSimd, TVec>()
            where TSimd : ISimd<TVec>
            where TVec : struct
        {
            float[] special = [0f, 0.5f, -0.5f, 1f, -1f, 2.75f, -2.75f, -126f, -125.999f, 127.99999f, -1e-8f, 0.99999994f, 1e30f, -1e30f];
            var random = new Random(7);
            var values = special.Concat(Enumerable.Range(0, 4096).Select(_ => (random.NextSingle() - 0.5f) * 256f)).ToArray();
            var count = TSimd.Count;
            var fractions = new float[count];
            var powers = new float[count];
            for (var start = 0; start + count <= values.Length; start += count)
            {
                fixed (float* v = values)
                fixed (float* r = fractions)
                fixed (float* p = powers)
                {
                    TSimd.Store(TSimd.Pow2Split(TSimd.Load(v + start), out var exponent), r);
                    TSimd.Store(TSimd.ScaleByPow2(TSimd.Create(1f), exponent), p);
                }

                for (var lane = 0; lane < count; lane++)
                {
                    var (x, r) = (values[start + lane], fractions[lane]);
                    var want = x - Math.Floor(x);
                    var exact = (float)want == want;
                    Assert.True(
                        r >= 0f && r <= 1f && (exact ? r == want : Math.Abs(r - want) <= Math.ScaleB(1.0, -24)),
                        $"{typeof(TSimd).Name}: Pow2Split({x}) gave r = {r}, want {want}");
                    var power = Math.Floor(x) < -126 ? (float?)null : Math.Floor(x) >= 128 ? float.PositiveInfinity : (float)Math.Pow(2, Math.Floor(x));
                    Assert.True(power is null || powers[lane] == power, $"{typeof(TSimd).Name}: Pow2Split({x}) gave 2^⌊x⌋ = {powers[lane]}, want {power}");
                }
            }
        }
    }

    private readonly struct Pow2Scales : ISimdCheck
    {
        public unsafe void Run<TSimd, TVec>()
            where TSimd : ISimd<TVec>
            where TVec : struct
        {
            // Pairs (value, n): values in [1, 2), every n from −126 to 140 and random ones.
            var random = new Random(11);
            var exponents = Enumerable.Range(-126, 267).Concat(Enumerable.Range(0, 1024).Select(_ => random.Next(-126, 141))).Select(n => (float)n).ToArray();
            var values = exponents.Select(_ => 1f + random.NextSingle()).ToArray();
            var count = TSimd.Count;
            var result = new float[count];
            for (var start = 0; start + count <= values.Length; start += count)
            {
                fixed (float* v = values)
                fixed (float* n = exponents)
                fixed (float* r = result)
                {
                    TSimd.Store(TSimd.ScaleByPow2(TSimd.Load(v + start), TSimd.Load(n + start)), r);
                }

                for (var lane = 0; lane < count; lane++)
                {
                    var (value, n) = (values[start + lane], exponents[start + lane]);
                    var want = n >= 128f ? float.PositiveInfinity : (float)(value * Math.Pow(2, n));
                    Assert.True(result[lane] == want, $"{typeof(TSimd).Name}: ScaleByPow2({value}, {n}) = {result[lane]}, want {want}");
                }
            }
        }
    }

    private readonly struct Permutes : ISimdCheck
    {
        public unsafe void Run<TSimd, TVec>()
            where TSimd : ISimd<TVec>
            where TVec : struct
        {
            var count = TSimd.Count;
            var random = new Random(count);
            var source = Enumerable.Range(0, 2 * count).Select(i => i + 1f).ToArray();
            source[0] = -0f;
            source[^1] = BitConverter.Int32BitsToSingle(0x7FC0_1234);
            var indices = new int[count];
            var result = new float[count];
            for (var trial = 0; trial < 200; trial++)
            {
                for (var lane = 0; lane < count; lane++)
                {
                    indices[lane] = trial == 0 ? 2 * count - 1 - lane : random.Next(2 * count);
                }

                fixed (float* s = source)
                fixed (int* i = indices)
                fixed (float* r = result)
                {
                    TSimd.Store(TSimd.Permute(TSimd.Load(s), TSimd.Load(s + count), i), r);
                }

                for (var lane = 0; lane < count; lane++)
                {
                    var want = source[indices[lane]];
                    Assert.True(
                        BitConverter.SingleToInt32Bits(result[lane]) == BitConverter.SingleToInt32Bits(want),
                        $"{typeof(TSimd).Name}: lane {lane} with index {indices[lane]} holds {result[lane]}, want {want}");
                }
            }
        }
    }
}

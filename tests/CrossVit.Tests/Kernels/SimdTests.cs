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
    /// <c>Round</c>, which the exponentials reduce their argument with, goes to the nearest integer and to the even one
    /// on a tie, in every lane, as <see cref="MathF.Round(float)"/> does; large and infinite values stay as they are.
    /// </summary>
    [Theory]
    [MemberData(nameof(Isas))]
    public void RoundGoesToTheNearestIntegerTiesToEven(Isa isa) => OnSimdOf(isa, default(Rounds));

    private readonly struct Rounds : ISimdCheck
    {
        public unsafe void Run<TSimd, TVec>()
            where TSimd : ISimd<TVec>
            where TVec : struct
        {
            float[] special = [0.5f, 1.5f, 2.5f, -0.5f, -1.5f, -2.5f, 0.49999997f, -126.5f, 127.5f, 8388607.5f, 1e30f, float.NegativeInfinity];
            var random = new Random(7);
            var values = special.Concat(Enumerable.Range(0, 4096).Select(_ => (random.NextSingle() - 0.5f) * 512f)).ToArray();
            var count = TSimd.Count;
            var result = new float[count];
            for (var start = 0; start + count <= values.Length; start += count)
            {
                fixed (float* v = values)
                fixed (float* r = result)
                {
                    TSimd.Store(TSimd.Round(TSimd.Load(v + start)), r);
                }

                for (var lane = 0; lane < count; lane++)
                {
                    var x = values[start + lane];
                    Assert.True(result[lane] == MathF.Round(x), $"{typeof(TSimd).Name}: Round({x}) = {result[lane]}, want {MathF.Round(x)}");
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

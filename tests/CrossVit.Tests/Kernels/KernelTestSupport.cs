using System.Runtime.Intrinsics;
using CrossVit.Runtime.Kernels;
using CrossVit.Runtime.Kernels.Simd;
using FsCheck;
using FsCheck.Fluent;
using Xunit;

namespace CrossVit.Tests.Kernels;

/// <summary>Shared generators and helpers for the kernel property tests.</summary>
internal static class KernelTestSupport
{
    public const int Cases = 200;

    /// <summary>Every ISA level this machine runs.</summary>
    public static IReadOnlyList<Isa> Isas { get; } = [.. Enum.GetValues<Isa>().Where(IsaSupport.IsSupported)];

    /// <summary>Every ISA level this machine runs, as the theory data of the per-ISA tests.</summary>
    public static TheoryData<Isa> SupportedIsas() => [.. Isas];

    /// <summary>One kernel set per ISA level this machine runs.</summary>
    public static IReadOnlyList<KernelSet> SupportedKernelSets { get; } = [.. Isas.Select(isa => KernelSet.Create(isa))];

    /// <summary>
    /// The property that <paramref name="body"/> holds on every generated case for every ISA this machine runs (a
    /// <c>[Property]</c> test returns it): each case is checked on each ISA, and a failure names the ISA before the
    /// assertion's message, while FsCheck names the case and the seed that replays it.
    /// </summary>
    public static Property OnEveryIsa<T>(Gen<T> cases, Action<KernelSet, T> body) =>
        Prop.ForAll(cases.ToArbitrary(), c =>
        {
            foreach (var kernels in SupportedKernelSets)
            {
                try
                {
                    body(kernels, c);
                }
                catch (Exception e)
                {
                    throw new Xunit.Sdk.XunitException($"on {kernels.Isa}: {e.Message}", e);
                }
            }
        });

    private static readonly int[] Primes = [2, 3, 5, 7, 11, 13, 17, 19, 23, 29, 31, 37, 41, 43, 47, 53, 59, 61, 67, 71, 73, 79, 83, 89, 97, 101, 127, 131, 257, 263];

    /// <summary>
    /// A dimension in [1, max]: a third near an anchor (anchor − 1, anchor, anchor + 1: unroll and blocking edges),
    /// a third primes, a third uniform.
    /// </summary>
    public static Gen<int> Dim(int max, params int[] anchors)
    {
        var near = anchors.SelectMany(a => new[] { a - 1, a, a + 1 }).Where(d => d >= 1 && d <= max).Append(1).ToArray();
        var primes = Primes.Where(p => p <= max).Append(1).ToArray();
        return Gen.OneOf(Gen.Elements(near), Gen.Elements(primes), Gen.Choose(1, max));
    }

    public static Gen<int> Seed => Gen.Choose(0, int.MaxValue);

    public static float[] RandomArray(Random random, int length, float scale = 1f, float offset = 0f)
    {
        var a = new float[length];
        for (var i = 0; i < length; i++)
        {
            a[i] = offset + (scale * ((2f * random.NextSingle()) - 1f));
        }

        return a;
    }

    /// <summary>GEMM-type bound: |got − want| ≤ rel · magnitude + abs, with the index of the first failure in the message.</summary>
    public static void AssertClose(ReadOnlySpan<float> got, double[] want, double[] magnitude, double rel, double abs, string context)
    {
        for (var i = 0; i < want.Length; i++)
        {
            var err = Math.Abs(got[i] - want[i]);
            if (!(err <= (rel * magnitude[i]) + abs))
            {
                throw new Xunit.Sdk.XunitException($"{context}: element {i} = {got[i]}, want {want[i]} (err {err:E3}, bound {(rel * magnitude[i]) + abs:E3})");
            }
        }
    }

    /// <summary>Runs <paramref name="check"/> with the vector operations (<c>ISimd</c> and its vector type) of <paramref name="isa"/>.</summary>
    public static void OnSimdOf<TCheck>(Isa isa, TCheck check)
        where TCheck : struct, ISimdCheck
    {
        switch (isa)
        {
            case Isa.Avx512: check.Run<Simd512, Vector512<float>>(); break;
            case Isa.Avx2: check.Run<Simd256, Vector256<float>>(); break;
            case Isa.V128: check.Run<Simd128, Vector128<float>>(); break;
            case Isa.Neon: check.Run<SimdNeon, Vector128<float>>(); break;
            default: check.Run<ScalarSimd, float>(); break;
        }
    }
}

/// <summary>A check or computation written once for every vector width, run by <see cref="KernelTestSupport.OnSimdOf"/>.</summary>
internal interface ISimdCheck
{
    void Run<TSimd, TVec>()
        where TSimd : ISimd<TVec>
        where TVec : struct;
}

using System.Runtime.Intrinsics;
using CrossVit.Runtime.Kernels;
using CrossVit.Runtime.Kernels.Simd;

namespace CrossVit.Benchmarks;

/// <summary>A plain register-only FMA loop (16 independent accumulators): the attainable peak the GEMM is judged against.</summary>
internal static class FmaProbe
{
    public const int Iterations = 1 << 20;

    public static double Flops(Isa isa) => 2.0 * 16 * Iterations * isa switch
    {
        Isa.Avx512 => 16,
        Isa.Avx2 => 8,
        Isa.V128 => 4,
        _ => 1,
    };

    public static float Run(Isa isa) => isa switch
    {
        Isa.Avx512 => Loop<Simd512, Vector512<float>>(),
        Isa.Avx2 => Loop<Simd256, Vector256<float>>(),
        Isa.V128 => Loop<Simd128, Vector128<float>>(),
        _ => Loop<ScalarSimd, float>(),
    };

    private static float Loop<TSimd, TVec>()
        where TSimd : ISimd<TVec>
        where TVec : struct
    {
        var a = TSimd.Create(0.999f);
        var b = TSimd.Create(0.001f);
        TVec c0 = b, c1 = b, c2 = b, c3 = b, c4 = b, c5 = b, c6 = b, c7 = b, c8 = b, c9 = b, c10 = b, c11 = b, c12 = b, c13 = b, c14 = b, c15 = b;
        for (var i = 0; i < Iterations; i++)
        {
            c0 = TSimd.MultiplyAdd(c0, a, b);
            c1 = TSimd.MultiplyAdd(c1, a, b);
            c2 = TSimd.MultiplyAdd(c2, a, b);
            c3 = TSimd.MultiplyAdd(c3, a, b);
            c4 = TSimd.MultiplyAdd(c4, a, b);
            c5 = TSimd.MultiplyAdd(c5, a, b);
            c6 = TSimd.MultiplyAdd(c6, a, b);
            c7 = TSimd.MultiplyAdd(c7, a, b);
            c8 = TSimd.MultiplyAdd(c8, a, b);
            c9 = TSimd.MultiplyAdd(c9, a, b);
            c10 = TSimd.MultiplyAdd(c10, a, b);
            c11 = TSimd.MultiplyAdd(c11, a, b);
            c12 = TSimd.MultiplyAdd(c12, a, b);
            c13 = TSimd.MultiplyAdd(c13, a, b);
            c14 = TSimd.MultiplyAdd(c14, a, b);
            c15 = TSimd.MultiplyAdd(c15, a, b);
        }

        var sum = TSimd.Add(TSimd.Add(TSimd.Add(TSimd.Add(c0, c1), TSimd.Add(c2, c3)), TSimd.Add(TSimd.Add(c4, c5), TSimd.Add(c6, c7))),
            TSimd.Add(TSimd.Add(TSimd.Add(c8, c9), TSimd.Add(c10, c11)), TSimd.Add(TSimd.Add(c12, c13), TSimd.Add(c14, c15))));
        return TSimd.Sum(sum);
    }
}

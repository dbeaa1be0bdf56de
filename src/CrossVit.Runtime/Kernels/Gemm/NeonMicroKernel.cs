using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.Arm;
using CrossVit.Runtime.Kernels.Simd;
using static System.Runtime.Intrinsics.Arm.AdvSimd.Arm64;

namespace CrossVit.Runtime.Kernels.Gemm;

/// <summary>
/// <see cref="MicroKernel{TSimd, TVec}"/> for <see cref="SimdNeon"/>, 8 rows × 2 vectors, with NEON's multiply-add by
/// element (FMLA Vd.4S, Vn.4S, Vm.S[lane]): each A row is loaded four k steps at a time and its lanes are multiplied in
/// place, where the portable loop first broadcasts every element into a register of its own (a load and a DUP per row
/// and k step). Every accumulator adds the same products in the same order as the portable loop, so the results are the
/// <see cref="Isa.V128"/> kernel's bit for bit; the sinks are the portable kernel's.
/// </summary>
[SkipLocalsInit]
internal static unsafe class NeonMicroKernel
{
    /// <summary>As <see cref="MicroKernel{TSimd, TVec}.Run"/>; <c>mr</c> ≤ 8.</summary>
    /// <remarks><typeparamref name="TVec"/> is <c>Vector128&lt;float&gt;</c>: the driver's generic sink, for <see cref="SimdNeon"/> only.</remarks>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Run<TVec, TSink>(float* a, long lda, float* pb, int kc, int mr, TSink sink)
        where TVec : struct
        where TSink : struct, ITileSink<TVec>
    {
        var zero = Vector128<float>.Zero;
        var a0 = a;
        var a1 = a + (Math.Min(1, mr - 1) * lda);
        var a2 = a + (Math.Min(2, mr - 1) * lda);
        var a3 = a + (Math.Min(3, mr - 1) * lda);
        var a4 = a + (Math.Min(4, mr - 1) * lda);
        var a5 = a + (Math.Min(5, mr - 1) * lda);
        var a6 = a + (Math.Min(6, mr - 1) * lda);
        var a7 = a + (Math.Min(7, mr - 1) * lda);
        Vector128<float> c00 = zero, c01 = zero;
        Vector128<float> c10 = zero, c11 = zero;
        Vector128<float> c20 = zero, c21 = zero;
        Vector128<float> c30 = zero, c31 = zero;
        Vector128<float> c40 = zero, c41 = zero;
        Vector128<float> c50 = zero, c51 = zero;
        Vector128<float> c60 = zero, c61 = zero;
        Vector128<float> c70 = zero, c71 = zero;
        var p = 0;
        for (; p <= kc - 4; p += 4)
        {
            var x0 = AdvSimd.LoadVector128(a0 + p);
            var x1 = AdvSimd.LoadVector128(a1 + p);
            var x2 = AdvSimd.LoadVector128(a2 + p);
            var x3 = AdvSimd.LoadVector128(a3 + p);
            var x4 = AdvSimd.LoadVector128(a4 + p);
            var x5 = AdvSimd.LoadVector128(a5 + p);
            var x6 = AdvSimd.LoadVector128(a6 + p);
            var x7 = AdvSimd.LoadVector128(a7 + p);

            var b00 = AdvSimd.LoadVector128(pb + 0);
            var b01 = AdvSimd.LoadVector128(pb + 4);
            c00 = FusedMultiplyAddBySelectedScalar(c00, b00, x0, 0);
            c01 = FusedMultiplyAddBySelectedScalar(c01, b01, x0, 0);
            c10 = FusedMultiplyAddBySelectedScalar(c10, b00, x1, 0);
            c11 = FusedMultiplyAddBySelectedScalar(c11, b01, x1, 0);
            c20 = FusedMultiplyAddBySelectedScalar(c20, b00, x2, 0);
            c21 = FusedMultiplyAddBySelectedScalar(c21, b01, x2, 0);
            c30 = FusedMultiplyAddBySelectedScalar(c30, b00, x3, 0);
            c31 = FusedMultiplyAddBySelectedScalar(c31, b01, x3, 0);
            c40 = FusedMultiplyAddBySelectedScalar(c40, b00, x4, 0);
            c41 = FusedMultiplyAddBySelectedScalar(c41, b01, x4, 0);
            c50 = FusedMultiplyAddBySelectedScalar(c50, b00, x5, 0);
            c51 = FusedMultiplyAddBySelectedScalar(c51, b01, x5, 0);
            c60 = FusedMultiplyAddBySelectedScalar(c60, b00, x6, 0);
            c61 = FusedMultiplyAddBySelectedScalar(c61, b01, x6, 0);
            c70 = FusedMultiplyAddBySelectedScalar(c70, b00, x7, 0);
            c71 = FusedMultiplyAddBySelectedScalar(c71, b01, x7, 0);

            var b10 = AdvSimd.LoadVector128(pb + 8);
            var b11 = AdvSimd.LoadVector128(pb + 12);
            c00 = FusedMultiplyAddBySelectedScalar(c00, b10, x0, 1);
            c01 = FusedMultiplyAddBySelectedScalar(c01, b11, x0, 1);
            c10 = FusedMultiplyAddBySelectedScalar(c10, b10, x1, 1);
            c11 = FusedMultiplyAddBySelectedScalar(c11, b11, x1, 1);
            c20 = FusedMultiplyAddBySelectedScalar(c20, b10, x2, 1);
            c21 = FusedMultiplyAddBySelectedScalar(c21, b11, x2, 1);
            c30 = FusedMultiplyAddBySelectedScalar(c30, b10, x3, 1);
            c31 = FusedMultiplyAddBySelectedScalar(c31, b11, x3, 1);
            c40 = FusedMultiplyAddBySelectedScalar(c40, b10, x4, 1);
            c41 = FusedMultiplyAddBySelectedScalar(c41, b11, x4, 1);
            c50 = FusedMultiplyAddBySelectedScalar(c50, b10, x5, 1);
            c51 = FusedMultiplyAddBySelectedScalar(c51, b11, x5, 1);
            c60 = FusedMultiplyAddBySelectedScalar(c60, b10, x6, 1);
            c61 = FusedMultiplyAddBySelectedScalar(c61, b11, x6, 1);
            c70 = FusedMultiplyAddBySelectedScalar(c70, b10, x7, 1);
            c71 = FusedMultiplyAddBySelectedScalar(c71, b11, x7, 1);

            var b20 = AdvSimd.LoadVector128(pb + 16);
            var b21 = AdvSimd.LoadVector128(pb + 20);
            c00 = FusedMultiplyAddBySelectedScalar(c00, b20, x0, 2);
            c01 = FusedMultiplyAddBySelectedScalar(c01, b21, x0, 2);
            c10 = FusedMultiplyAddBySelectedScalar(c10, b20, x1, 2);
            c11 = FusedMultiplyAddBySelectedScalar(c11, b21, x1, 2);
            c20 = FusedMultiplyAddBySelectedScalar(c20, b20, x2, 2);
            c21 = FusedMultiplyAddBySelectedScalar(c21, b21, x2, 2);
            c30 = FusedMultiplyAddBySelectedScalar(c30, b20, x3, 2);
            c31 = FusedMultiplyAddBySelectedScalar(c31, b21, x3, 2);
            c40 = FusedMultiplyAddBySelectedScalar(c40, b20, x4, 2);
            c41 = FusedMultiplyAddBySelectedScalar(c41, b21, x4, 2);
            c50 = FusedMultiplyAddBySelectedScalar(c50, b20, x5, 2);
            c51 = FusedMultiplyAddBySelectedScalar(c51, b21, x5, 2);
            c60 = FusedMultiplyAddBySelectedScalar(c60, b20, x6, 2);
            c61 = FusedMultiplyAddBySelectedScalar(c61, b21, x6, 2);
            c70 = FusedMultiplyAddBySelectedScalar(c70, b20, x7, 2);
            c71 = FusedMultiplyAddBySelectedScalar(c71, b21, x7, 2);

            var b30 = AdvSimd.LoadVector128(pb + 24);
            var b31 = AdvSimd.LoadVector128(pb + 28);
            c00 = FusedMultiplyAddBySelectedScalar(c00, b30, x0, 3);
            c01 = FusedMultiplyAddBySelectedScalar(c01, b31, x0, 3);
            c10 = FusedMultiplyAddBySelectedScalar(c10, b30, x1, 3);
            c11 = FusedMultiplyAddBySelectedScalar(c11, b31, x1, 3);
            c20 = FusedMultiplyAddBySelectedScalar(c20, b30, x2, 3);
            c21 = FusedMultiplyAddBySelectedScalar(c21, b31, x2, 3);
            c30 = FusedMultiplyAddBySelectedScalar(c30, b30, x3, 3);
            c31 = FusedMultiplyAddBySelectedScalar(c31, b31, x3, 3);
            c40 = FusedMultiplyAddBySelectedScalar(c40, b30, x4, 3);
            c41 = FusedMultiplyAddBySelectedScalar(c41, b31, x4, 3);
            c50 = FusedMultiplyAddBySelectedScalar(c50, b30, x5, 3);
            c51 = FusedMultiplyAddBySelectedScalar(c51, b31, x5, 3);
            c60 = FusedMultiplyAddBySelectedScalar(c60, b30, x6, 3);
            c61 = FusedMultiplyAddBySelectedScalar(c61, b31, x6, 3);
            c70 = FusedMultiplyAddBySelectedScalar(c70, b30, x7, 3);
            c71 = FusedMultiplyAddBySelectedScalar(c71, b31, x7, 3);

            pb += 32;
        }

        // The last kc mod 4 steps: one element per row, in lane 0.
        for (; p < kc; p++)
        {
            var b0 = AdvSimd.LoadVector128(pb);
            var b1 = AdvSimd.LoadVector128(pb + 4);
            var x0 = Vector128.CreateScalarUnsafe(a0[p]);
            var x1 = Vector128.CreateScalarUnsafe(a1[p]);
            var x2 = Vector128.CreateScalarUnsafe(a2[p]);
            var x3 = Vector128.CreateScalarUnsafe(a3[p]);
            var x4 = Vector128.CreateScalarUnsafe(a4[p]);
            var x5 = Vector128.CreateScalarUnsafe(a5[p]);
            var x6 = Vector128.CreateScalarUnsafe(a6[p]);
            var x7 = Vector128.CreateScalarUnsafe(a7[p]);
            c00 = FusedMultiplyAddBySelectedScalar(c00, b0, x0, 0);
            c01 = FusedMultiplyAddBySelectedScalar(c01, b1, x0, 0);
            c10 = FusedMultiplyAddBySelectedScalar(c10, b0, x1, 0);
            c11 = FusedMultiplyAddBySelectedScalar(c11, b1, x1, 0);
            c20 = FusedMultiplyAddBySelectedScalar(c20, b0, x2, 0);
            c21 = FusedMultiplyAddBySelectedScalar(c21, b1, x2, 0);
            c30 = FusedMultiplyAddBySelectedScalar(c30, b0, x3, 0);
            c31 = FusedMultiplyAddBySelectedScalar(c31, b1, x3, 0);
            c40 = FusedMultiplyAddBySelectedScalar(c40, b0, x4, 0);
            c41 = FusedMultiplyAddBySelectedScalar(c41, b1, x4, 0);
            c50 = FusedMultiplyAddBySelectedScalar(c50, b0, x5, 0);
            c51 = FusedMultiplyAddBySelectedScalar(c51, b1, x5, 0);
            c60 = FusedMultiplyAddBySelectedScalar(c60, b0, x6, 0);
            c61 = FusedMultiplyAddBySelectedScalar(c61, b1, x6, 0);
            c70 = FusedMultiplyAddBySelectedScalar(c70, b0, x7, 0);
            c71 = FusedMultiplyAddBySelectedScalar(c71, b1, x7, 0);
            pb += 8;
        }

        if (sink.Whole)
        {
            sink.Row(0, As<TVec>(c00), As<TVec>(c01));

            if (mr > 1)
            {
                sink.Row(1, As<TVec>(c10), As<TVec>(c11));
            }

            if (mr > 2)
            {
                sink.Row(2, As<TVec>(c20), As<TVec>(c21));
            }

            if (mr > 3)
            {
                sink.Row(3, As<TVec>(c30), As<TVec>(c31));
            }

            if (mr > 4)
            {
                sink.Row(4, As<TVec>(c40), As<TVec>(c41));
            }

            if (mr > 5)
            {
                sink.Row(5, As<TVec>(c50), As<TVec>(c51));
            }

            if (mr > 6)
            {
                sink.Row(6, As<TVec>(c60), As<TVec>(c61));
            }

            if (mr > 7)
            {
                sink.Row(7, As<TVec>(c70), As<TVec>(c71));
            }

            return;
        }

        // A ragged right edge: through a stack tile, stored out of line, as in the portable kernel.
        var tile = stackalloc float[SimdNeon.Mr * 8];
        AdvSimd.Store(tile + 0, c00);
        AdvSimd.Store(tile + 4, c01);
        AdvSimd.Store(tile + 8, c10);
        AdvSimd.Store(tile + 12, c11);
        AdvSimd.Store(tile + 16, c20);
        AdvSimd.Store(tile + 20, c21);
        AdvSimd.Store(tile + 24, c30);
        AdvSimd.Store(tile + 28, c31);
        AdvSimd.Store(tile + 32, c40);
        AdvSimd.Store(tile + 36, c41);
        AdvSimd.Store(tile + 40, c50);
        AdvSimd.Store(tile + 44, c51);
        AdvSimd.Store(tile + 48, c60);
        AdvSimd.Store(tile + 52, c61);
        AdvSimd.Store(tile + 56, c70);
        AdvSimd.Store(tile + 60, c71);
        sink.Ragged(tile, mr);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static TVec As<TVec>(Vector128<float> value)
        where TVec : struct => Unsafe.BitCast<Vector128<float>, TVec>(value);
}

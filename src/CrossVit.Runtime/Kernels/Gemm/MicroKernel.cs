using CrossVit.Runtime.Kernels.Simd;

namespace CrossVit.Runtime.Kernels.Gemm;

/// <summary>
/// The register-blocked micro-kernel: an <c>Mr</c> × (2 vectors) tile of C accumulated over one K slice from packed
/// panels, then stored through the fused epilogue. Rows past <c>TSimd.Mr</c> are compile-time dead code; up to 12 rows fit.
/// </summary>
internal static unsafe class MicroKernel<TSimd, TVec>
    where TSimd : ISimd<TVec>, IGemmBlocking
    where TVec : struct
{
    /// <summary>C[0..mr, 0..nr] (=|+=) A-panel · B-panel (+ bias), then the activation.</summary>
    /// <remarks><c>pa</c>: A micro-panel: kc × Mr, k-major. <c>pb</c>: B micro-panel: kc × 2 vectors, k-major. <c>accumulate</c>: Add to the existing C instead of overwriting it. <c>bias</c>: Bias for these columns, or null.</remarks>
    public static void Run(float* pa, float* pb, int kc, float* c, int ldc, int mr, int nr, float* bias, bool accumulate, Activation activation)
    {
        var zero = TSimd.Create(0f);
        TVec c00 = zero, c01 = zero;
        TVec c10 = zero, c11 = zero;
        TVec c20 = zero, c21 = zero;
        TVec c30 = zero, c31 = zero;
        TVec c40 = zero, c41 = zero;
        TVec c50 = zero, c51 = zero;
        TVec c60 = zero, c61 = zero;
        TVec c70 = zero, c71 = zero;
        TVec c80 = zero, c81 = zero;
        TVec c90 = zero, c91 = zero;
        TVec c100 = zero, c101 = zero;
        TVec c110 = zero, c111 = zero;
        for (var p = 0; p < kc; p++)
        {
            var b0 = TSimd.Load(pb);
            var b1 = TSimd.Load(pb + TSimd.Count);
            var a0 = TSimd.Create(pa[0]);
            c00 = TSimd.MultiplyAdd(a0, b0, c00);
            c01 = TSimd.MultiplyAdd(a0, b1, c01);

            if (TSimd.Mr > 1)
            {
                var a1 = TSimd.Create(pa[1]);
                c10 = TSimd.MultiplyAdd(a1, b0, c10);
                c11 = TSimd.MultiplyAdd(a1, b1, c11);
            }

            if (TSimd.Mr > 2)
            {
                var a2 = TSimd.Create(pa[2]);
                c20 = TSimd.MultiplyAdd(a2, b0, c20);
                c21 = TSimd.MultiplyAdd(a2, b1, c21);
            }

            if (TSimd.Mr > 3)
            {
                var a3 = TSimd.Create(pa[3]);
                c30 = TSimd.MultiplyAdd(a3, b0, c30);
                c31 = TSimd.MultiplyAdd(a3, b1, c31);
            }

            if (TSimd.Mr > 4)
            {
                var a4 = TSimd.Create(pa[4]);
                c40 = TSimd.MultiplyAdd(a4, b0, c40);
                c41 = TSimd.MultiplyAdd(a4, b1, c41);
            }

            if (TSimd.Mr > 5)
            {
                var a5 = TSimd.Create(pa[5]);
                c50 = TSimd.MultiplyAdd(a5, b0, c50);
                c51 = TSimd.MultiplyAdd(a5, b1, c51);
            }

            if (TSimd.Mr > 6)
            {
                var a6 = TSimd.Create(pa[6]);
                c60 = TSimd.MultiplyAdd(a6, b0, c60);
                c61 = TSimd.MultiplyAdd(a6, b1, c61);
            }

            if (TSimd.Mr > 7)
            {
                var a7 = TSimd.Create(pa[7]);
                c70 = TSimd.MultiplyAdd(a7, b0, c70);
                c71 = TSimd.MultiplyAdd(a7, b1, c71);
            }

            if (TSimd.Mr > 8)
            {
                var a8 = TSimd.Create(pa[8]);
                c80 = TSimd.MultiplyAdd(a8, b0, c80);
                c81 = TSimd.MultiplyAdd(a8, b1, c81);
            }

            if (TSimd.Mr > 9)
            {
                var a9 = TSimd.Create(pa[9]);
                c90 = TSimd.MultiplyAdd(a9, b0, c90);
                c91 = TSimd.MultiplyAdd(a9, b1, c91);
            }

            if (TSimd.Mr > 10)
            {
                var a10 = TSimd.Create(pa[10]);
                c100 = TSimd.MultiplyAdd(a10, b0, c100);
                c101 = TSimd.MultiplyAdd(a10, b1, c101);
            }

            if (TSimd.Mr > 11)
            {
                var a11 = TSimd.Create(pa[11]);
                c110 = TSimd.MultiplyAdd(a11, b0, c110);
                c111 = TSimd.MultiplyAdd(a11, b1, c111);
            }

            pa += TSimd.Mr;
            pb += 2 * TSimd.Count;
        }

        if (mr > 0)
        {
            StoreRow(c + (0 * ldc), c00, c01, nr, bias, accumulate, activation);
        }

        if (mr > 1)
        {
            StoreRow(c + (1 * ldc), c10, c11, nr, bias, accumulate, activation);
        }

        if (mr > 2)
        {
            StoreRow(c + (2 * ldc), c20, c21, nr, bias, accumulate, activation);
        }

        if (mr > 3)
        {
            StoreRow(c + (3 * ldc), c30, c31, nr, bias, accumulate, activation);
        }

        if (mr > 4)
        {
            StoreRow(c + (4 * ldc), c40, c41, nr, bias, accumulate, activation);
        }

        if (mr > 5)
        {
            StoreRow(c + (5 * ldc), c50, c51, nr, bias, accumulate, activation);
        }

        if (mr > 6)
        {
            StoreRow(c + (6 * ldc), c60, c61, nr, bias, accumulate, activation);
        }

        if (mr > 7)
        {
            StoreRow(c + (7 * ldc), c70, c71, nr, bias, accumulate, activation);
        }

        if (mr > 8)
        {
            StoreRow(c + (8 * ldc), c80, c81, nr, bias, accumulate, activation);
        }

        if (mr > 9)
        {
            StoreRow(c + (9 * ldc), c90, c91, nr, bias, accumulate, activation);
        }

        if (mr > 10)
        {
            StoreRow(c + (10 * ldc), c100, c101, nr, bias, accumulate, activation);
        }

        if (mr > 11)
        {
            StoreRow(c + (11 * ldc), c110, c111, nr, bias, accumulate, activation);
        }
    }

    private static void StoreRow(float* c, TVec v0, TVec v1, int nr, float* bias, bool accumulate, Activation activation)
    {
        if (nr == 2 * TSimd.Count)
        {
            TSimd.Store(StoreEpilogue<TSimd, TVec>.Apply(v0, c, bias, accumulate, activation), c);
            TSimd.Store(StoreEpilogue<TSimd, TVec>.Apply(v1, c + TSimd.Count, bias == null ? null : bias + TSimd.Count, accumulate, activation), c + TSimd.Count);
            return;
        }

        // Ragged right edge: spill the tile row and finish it one lane at a time through the same epilogue.
        var tile = stackalloc float[2 * TSimd.Count];
        TSimd.Store(v0, tile);
        TSimd.Store(v1, tile + TSimd.Count);
        for (var j = 0; j < nr; j++)
        {
            c[j] = StoreEpilogue<ScalarSimd, float>.Apply(tile[j], c + j, bias == null ? null : bias + j, accumulate, activation);
        }
    }
}

using System.Runtime.CompilerServices;
using CrossVit.Runtime.Kernels.Simd;
namespace CrossVit.Runtime.Kernels.Gemm;

/// <summary>
/// Packs the GEMM's right operand (N columns × K) into panels of <c>nr</c> columns: panel p holds, for each k,
/// nr consecutive floats (columns p·nr … p·nr + nr − 1, zero past N). Panel p starts at p·K·nr, so any K slice
/// of a panel is contiguous.
/// </summary>
internal static unsafe class PackB
{
    public static long Size(int n, int k, int nr) => (long)((n + nr - 1) / nr) * nr * k;

    /// <summary>Source is [N, K] with row stride ld (nn.Linear weights, packed once at load), times <paramref name="scale"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void FromRows(float* src, int ld, int n, int k, int nr, float* dst, float scale = 1f)
    {
        for (var n0 = 0; n0 < n; n0 += nr)
        {
            var panel = dst + ((long)n0 * k);
            var width = Math.Min(nr, n - n0);
            var rows = src + ((long)n0 * ld);
            // Stores run contiguously along the panel; the nr source rows being read stay in L1 across k.
            for (var p = 0; p < k; p++)
            {
                var d = panel + ((long)p * nr);
                for (var j = 0; j < width; j++)
                {
                    d[j] = rows[((long)j * ld) + p] * scale;
                }

                for (var j = width; j < nr; j++)
                {
                    d[j] = 0f;
                }
            }
        }
    }

    /// <summary>
    /// <see cref="FromRows"/> a vector of rows at a time (nr a multiple of the vector width): element p of nr
    /// consecutive rows is gathered into the panel's row p (weights at load; attention keys, packed per head on every
    /// call, times the attention's scale). Ragged last panels take the scalar loop.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void FromRows<TSimd, TVec>(float* src, int ld, int n, int k, int nr, float* dst, float scale = 1f)
        where TSimd : ISimd<TVec>
        where TVec : struct
    {
        var whole = n / nr * nr;
        var s = TSimd.Create(scale);
        var offsets = stackalloc int[nr];
        for (var j = 0; j < nr; j++)
        {
            offsets[j] = j * ld;
        }

        for (var n0 = 0; n0 < whole; n0 += nr)
        {
            var rows = src + ((long)n0 * ld);
            var panel = dst + ((long)n0 * k);
            for (var p = 0; p < k; p++)
            {
                for (var j = 0; j < nr; j += TSimd.Count)
                {
                    TSimd.Store(TSimd.Multiply(TSimd.Gather(rows + p, offsets + j), s), panel + ((long)p * nr) + j);
                }
            }
        }

        if (whole < n)
        {
            FromRows(src + ((long)whole * ld), ld, n - whole, k, nr, dst + ((long)whole * k), scale);
        }
    }

    /// <summary>Source is [K, N] with row stride ld (attention values).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void FromColumns(float* src, int ld, int n, int k, int nr, float* dst)
    {
        for (var n0 = 0; n0 < n; n0 += nr)
        {
            var panel = dst + ((long)n0 * k);
            var width = Math.Min(nr, n - n0);
            for (var p = 0; p < k; p++)
            {
                var d = panel + (p * nr);
                new ReadOnlySpan<float>(src + ((long)p * ld) + n0, width).CopyTo(new Span<float>(d, nr));
                new Span<float>(d + width, nr - width).Clear();
            }
        }
    }
}

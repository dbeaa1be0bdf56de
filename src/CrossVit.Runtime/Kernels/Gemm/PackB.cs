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
    /// <see cref="FromRows"/> a vector of rows at a time (nr a multiple of the vector width; weights at load, attention
    /// keys per head on every call, times the attention's scale). With 8 or 16 lanes each block of Count rows × Count
    /// elements is transposed by permutes (<see cref="Transpose{TSimd, TVec}"/>); the elements past the last whole block,
    /// and all of them on the 128-bit paths, are gathered from the nr rows, element p into the panel's row p. Ragged
    /// last panels take the scalar loop.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void FromRows<TSimd, TVec>(float* src, int ld, int n, int k, int nr, float* dst, float scale = 1f)
        where TSimd : ISimd<TVec>
        where TVec : struct
    {
        var whole = n / nr * nr;
        var s = TSimd.Create(scale);
        // Permutes pay with 8 or 16 lanes only (ISimd.Permute).
        var blocked = TSimd.Count >= 8 ? k / TSimd.Count * TSimd.Count : 0;
        var offsets = stackalloc int[nr];
        for (var j = 0; j < nr; j++)
        {
            offsets[j] = j * ld;
        }

        // Lane l of an interleave takes element l / 2 of a (l even) or of b (l odd): the low halves, then the high.
        var interleave = stackalloc int[2 * TSimd.Count];
        for (var l = 0; l < TSimd.Count; l++)
        {
            interleave[l] = (l % 2 * TSimd.Count) + (l / 2);
            interleave[TSimd.Count + l] = (l % 2 * TSimd.Count) + (TSimd.Count / 2) + (l / 2);
        }

        var stage = stackalloc float[blocked > 0 ? 2 * TSimd.Count * TSimd.Count : 0];
        for (var n0 = 0; n0 < whole; n0 += nr)
        {
            var rows = src + ((long)n0 * ld);
            var panel = dst + ((long)n0 * k);
            for (var j = 0; j < nr; j += TSimd.Count)
            {
                for (var p0 = 0; p0 < blocked; p0 += TSimd.Count)
                {
                    Transpose<TSimd, TVec>(rows + ((long)j * ld) + p0, ld, interleave, stage, s, panel + ((long)p0 * nr) + j, nr);
                }
            }

            for (var p = blocked; p < k; p++)
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

    /// <summary>Source is [K, N] with row stride ld (attention values): whole panels a vector at a time, a ragged last one by spans.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void FromColumns<TSimd, TVec>(float* src, int ld, int n, int k, int nr, float* dst)
        where TSimd : ISimd<TVec>
        where TVec : struct
    {
        for (var n0 = 0; n0 < n; n0 += nr)
        {
            var panel = dst + ((long)n0 * k);
            var width = Math.Min(nr, n - n0);
            for (var p = 0; p < k; p++)
            {
                var from = src + ((long)p * ld) + n0;
                var d = panel + (p * nr);
                if (width == nr)
                {
                    for (var j = 0; j < nr; j += TSimd.Count)
                    {
                        TSimd.Store(TSimd.Load(from + j), d + j);
                    }

                    continue;
                }

                new ReadOnlySpan<float>(from, width).CopyTo(new Span<float>(d, nr));
                new Span<float>(d + width, nr - width).Clear();
            }
        }
    }

    /// <summary>
    /// dst[c · ldd + r] = scale · src[r · ld + c] for r, c &lt; Count (8 or 16): log2(Count) rounds of v'[2i] = the low
    /// halves of v[i] and v[i + Count/2] interleaved, v'[2i + 1] their high halves, after which v[c] is column c. The
    /// rounds between the first and the last go through <paramref name="stage"/> (2 · Count² floats).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Transpose<TSimd, TVec>(float* src, long ld, int* interleave, float* stage, TVec scale, float* dst, int ldd)
        where TSimd : ISimd<TVec>
        where TVec : struct
    {
        int count = TSimd.Count, half = count / 2;
        float* from = stage, to = stage + (count * count);
        for (var i = 0; i < half; i++)
        {
            TVec a = TSimd.Load(src + (i * ld)), b = TSimd.Load(src + ((i + half) * ld));
            TSimd.Store(TSimd.Permute(a, b, interleave), to + (2 * i * count));
            TSimd.Store(TSimd.Permute(a, b, interleave + count), to + (((2 * i) + 1) * count));
        }

        for (var width = 2; width < count; width *= 2)
        {
            var previous = to;
            to = from;
            from = previous;
            var last = 2 * width == count;
            for (var i = 0; i < half; i++)
            {
                TVec a = TSimd.Load(from + (i * count)), b = TSimd.Load(from + ((i + half) * count));
                TVec low = TSimd.Permute(a, b, interleave), high = TSimd.Permute(a, b, interleave + count);
                if (last)
                {
                    TSimd.Store(TSimd.Multiply(low, scale), dst + (2 * i * ldd));
                    TSimd.Store(TSimd.Multiply(high, scale), dst + (((2 * i) + 1) * ldd));
                }
                else
                {
                    TSimd.Store(low, to + (2 * i * count));
                    TSimd.Store(high, to + (((2 * i) + 1) * count));
                }
            }
        }
    }
}

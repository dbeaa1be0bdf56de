using System.Numerics;
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
    /// elements is transposed by permutes in registers (<see cref="Transpose{TSimd, TVec}"/>), a ragged last panel's
    /// missing rows read as zeros; the elements past the last whole block, and all of them on the 128-bit paths, are
    /// gathered from the nr rows, element p into the panel's row p, and a ragged panel that has such elements takes the
    /// scalar loop.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void FromRows<TSimd, TVec>(float* src, int ld, int n, int k, int nr, float* dst, float scale = 1f)
        where TSimd : ISimd<TVec>
        where TVec : struct
    {
        var s = TSimd.Create(scale);
        // Permutes pay with 8 or 16 lanes only (ISimd.Permute).
        var blocked = TSimd.Count >= 8 ? k / TSimd.Count * TSimd.Count : 0;
        var offsets = stackalloc int[nr];
        for (var j = 0; j < nr; j++)
        {
            offsets[j] = j * ld;
        }

        // Transpose's tables, a pair per step s = 1, 2, 4 (, 8): the low one takes lane l of a when bit s of l is clear,
        // else lane l − s of b; the high table lane l + s of a when it is clear, else lane l of b.
        var exchange = stackalloc int[blocked > 0 ? 2 * TSimd.Count * BitOperations.Log2((uint)TSimd.Count) : 0];
        for (int step = 1, t = 0; blocked > 0 && step < TSimd.Count; step *= 2, t += 2 * TSimd.Count)
        {
            for (var l = 0; l < TSimd.Count; l++)
            {
                var clear = (l & step) == 0;
                exchange[t + l] = clear ? l : TSimd.Count + l - step;
                exchange[t + TSimd.Count + l] = clear ? l + step : TSimd.Count + l;
            }
        }

        for (var n0 = 0; n0 < n; n0 += nr)
        {
            var rows = src + ((long)n0 * ld);
            var panel = dst + ((long)n0 * k);
            var width = Math.Min(nr, n - n0);
            if (width < nr && blocked < k)
            {
                // A ragged last panel with elements past the blocks (no attention head has it: theirs are whole blocks).
                FromRows(rows, ld, width, k, nr, panel, scale);
                continue;
            }

            for (var j = 0; j < nr; j += TSimd.Count)
            {
                var real = Math.Clamp(width - j, 0, TSimd.Count);
                for (var p0 = 0; p0 < blocked; p0 += TSimd.Count)
                {
                    Transpose<TSimd, TVec>(rows + ((long)j * ld) + p0, ld, real, exchange, s, panel + ((long)p0 * nr) + j, nr);
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
    /// dst[c · ldd + r] = scale · src[r · ld + c] for c &lt; Count (8 or 16) and r &lt; Count, the source rows from
    /// <paramref name="rows"/> on read as zeros; in registers: log₂(Count) rounds of butterflies. The round of step s
    /// pairs rows i and i + s (bit s of i clear) and swaps the blocks of s lanes that lie across the diagonal of each
    /// 2s × 2s tile: row i keeps its blocks with bit s clear and takes row i + s's from below, row i + s the reverse.
    /// After steps 1, 2, 4 (and 8) row c holds column c. Rows 8–15 and step 8 exist only with 16 lanes, a JIT-time test;
    /// the helpers take their vectors by reference and inline, so the block never leaves the registers.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Transpose<TSimd, TVec>(float* src, long ld, int rows, int* exchange, TVec scale, float* dst, int ldd)
        where TSimd : ISimd<TVec>
        where TVec : struct
    {
        var wide = TSimd.Count == 16;
        TVec v8 = default, v9 = default, v10 = default, v11 = default, v12 = default, v13 = default, v14 = default, v15 = default;
        Load<TSimd, TVec>(src, ld, 0, rows, out var v0, out var v1, out var v2, out var v3, out var v4, out var v5, out var v6, out var v7);
        if (wide)
        {
            Load<TSimd, TVec>(src, ld, 8, rows, out v8, out v9, out v10, out v11, out v12, out v13, out v14, out v15);
        }

        var step1 = exchange;
        Exchange<TSimd, TVec>(ref v0, ref v1, ref v2, ref v3, ref v4, ref v5, ref v6, ref v7, step1);
        var step2 = step1 + (2 * TSimd.Count);
        Exchange<TSimd, TVec>(ref v0, ref v2, ref v1, ref v3, ref v4, ref v6, ref v5, ref v7, step2);
        var step4 = step2 + (2 * TSimd.Count);
        Exchange<TSimd, TVec>(ref v0, ref v4, ref v1, ref v5, ref v2, ref v6, ref v3, ref v7, step4);
        if (wide)
        {
            Exchange<TSimd, TVec>(ref v8, ref v9, ref v10, ref v11, ref v12, ref v13, ref v14, ref v15, step1);
            Exchange<TSimd, TVec>(ref v8, ref v10, ref v9, ref v11, ref v12, ref v14, ref v13, ref v15, step2);
            Exchange<TSimd, TVec>(ref v8, ref v12, ref v9, ref v13, ref v10, ref v14, ref v11, ref v15, step4);
            var step8 = step4 + (2 * TSimd.Count);
            Exchange<TSimd, TVec>(ref v0, ref v8, ref v1, ref v9, ref v2, ref v10, ref v3, ref v11, step8);
            Exchange<TSimd, TVec>(ref v4, ref v12, ref v5, ref v13, ref v6, ref v14, ref v7, ref v15, step8);
        }

        Store<TSimd, TVec>(scale, dst, ldd, 0, v0, v1, v2, v3, v4, v5, v6, v7);
        if (wide)
        {
            Store<TSimd, TVec>(scale, dst, ldd, 8, v8, v9, v10, v11, v12, v13, v14, v15);
        }
    }

    /// <summary>Source rows first … first + 7, each zeros from <paramref name="rows"/> on (a ragged panel's missing columns).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Load<TSimd, TVec>(float* src, long ld, int first, int rows,
        out TVec v0, out TVec v1, out TVec v2, out TVec v3, out TVec v4, out TVec v5, out TVec v6, out TVec v7)
        where TSimd : ISimd<TVec>
        where TVec : struct
    {
        v0 = Row<TSimd, TVec>(src, ld, first, rows);
        v1 = Row<TSimd, TVec>(src, ld, first + 1, rows);
        v2 = Row<TSimd, TVec>(src, ld, first + 2, rows);
        v3 = Row<TSimd, TVec>(src, ld, first + 3, rows);
        v4 = Row<TSimd, TVec>(src, ld, first + 4, rows);
        v5 = Row<TSimd, TVec>(src, ld, first + 5, rows);
        v6 = Row<TSimd, TVec>(src, ld, first + 6, rows);
        v7 = Row<TSimd, TVec>(src, ld, first + 7, rows);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static TVec Row<TSimd, TVec>(float* src, long ld, int r, int rows)
        where TSimd : ISimd<TVec>
        where TVec : struct => r < rows ? TSimd.Load(src + (r * ld)) : TSimd.Create(0f);

    /// <summary>Rows first … first + 7 of the destination: the vectors times <paramref name="scale"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Store<TSimd, TVec>(TVec scale, float* dst, int ldd, int first, TVec v0, TVec v1, TVec v2, TVec v3, TVec v4, TVec v5, TVec v6, TVec v7)
        where TSimd : ISimd<TVec>
        where TVec : struct
    {
        var d = dst + ((long)first * ldd);
        TSimd.Store(TSimd.Multiply(v0, scale), d);
        TSimd.Store(TSimd.Multiply(v1, scale), d + ldd);
        TSimd.Store(TSimd.Multiply(v2, scale), d + (2 * ldd));
        TSimd.Store(TSimd.Multiply(v3, scale), d + (3 * ldd));
        TSimd.Store(TSimd.Multiply(v4, scale), d + (4 * ldd));
        TSimd.Store(TSimd.Multiply(v5, scale), d + (5 * ldd));
        TSimd.Store(TSimd.Multiply(v6, scale), d + (6 * ldd));
        TSimd.Store(TSimd.Multiply(v7, scale), d + (7 * ldd));
    }

    /// <summary>Four butterflies, of the pairs (a0, b0) … (a3, b3): each (a, b) ← (a ‖ b) permuted by the low and the high half of <paramref name="table"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Exchange<TSimd, TVec>(ref TVec a0, ref TVec b0, ref TVec a1, ref TVec b1, ref TVec a2, ref TVec b2, ref TVec a3, ref TVec b3, int* table)
        where TSimd : ISimd<TVec>
        where TVec : struct
    {
        (a0, b0) = (TSimd.Permute(a0, b0, table), TSimd.Permute(a0, b0, table + TSimd.Count));
        (a1, b1) = (TSimd.Permute(a1, b1, table), TSimd.Permute(a1, b1, table + TSimd.Count));
        (a2, b2) = (TSimd.Permute(a2, b2, table), TSimd.Permute(a2, b2, table + TSimd.Count));
        (a3, b3) = (TSimd.Permute(a3, b3, table), TSimd.Permute(a3, b3, table + TSimd.Count));
    }
}

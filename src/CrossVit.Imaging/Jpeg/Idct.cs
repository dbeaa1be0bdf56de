using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.Arm;
using System.Runtime.Intrinsics.X86;

namespace CrossVit.Imaging.Jpeg;

/// <summary>
/// The accurate integer inverse DCT of libjpeg's <c>jidctint.c</c> (JDCT_ISLOW, PIL's default): Loeffler–Ligtenberg–
/// Moschytz with 13-bit constants, two extra bits of precision between the column and row passes. Every step is
/// libjpeg's in 32-bit integers, four columns (then four rows) at a time, so samples are bit-identical to its scalar
/// code, the shortcuts for all-zero AC terms and integer wrap-around on corrupt data included (tests compare it with a
/// scalar port of <c>jidctint.c</c>).
/// </summary>
internal static class Idct
{
    private const int ConstBits = 13;
    private const int Pass1Bits = 2;

    // Round(c * 2^13) for the rotation constants.
    private const int Fix0_298631336 = 2446;
    private const int Fix0_390180644 = 3196;
    private const int Fix0_541196100 = 4433;
    private const int Fix0_765366865 = 6270;
    private const int Fix0_899976223 = 7373;
    private const int Fix1_175875602 = 9633;
    private const int Fix1_501321110 = 12299;
    private const int Fix1_847759065 = 15137;
    private const int Fix1_961570560 = 16069;
    private const int Fix2_053119869 = 16819;
    private const int Fix2_562915447 = 20995;
    private const int Fix3_072711026 = 25172;

    /// <summary>Eight rows (or, transposed, columns) of four lanes: one half of an 8×8 block.</summary>
    [InlineArray(8)]
    private struct Half
    {
        private Vector128<int> _row;
    }

    /// <summary>Dequantises and inverse-transforms one block, writing 8×8 level-shifted, range-limited samples.</summary>
    public static void Transform(ReadOnlySpan<short> coefficients, ReadOnlySpan<ushort> quant, Span<byte> output, int stride)
    {
        if (coefficients.Length < 64 || quant.Length < 64 || output.Length < (7 * stride) + 8)
            throw new ArgumentException("Expected 64 coefficients, 64 quantisers and room for 8 rows of 8 samples.");

        // Pass 1: columns, four at a time; row r of the block is lane-wise input r. Results scaled up by 2^Pass1Bits.
        Half left = default, right = default;
        ref short c = ref MemoryMarshal.GetReference(coefficients);
        ref ushort q = ref MemoryMarshal.GetReference(quant);
        var ac = Vector128<short>.Zero;
        for (int r = 0; r < 8; r++)
        {
            var coefficient = Vector128.LoadUnsafe(ref c, (nuint)(8 * r));
            var quantiser = Vector128.LoadUnsafe(ref q, (nuint)(8 * r));
            left[r] = Vector128.WidenLower(coefficient) * Vector128.WidenLower(quantiser).AsInt32();
            right[r] = Vector128.WidenUpper(coefficient) * Vector128.WidenUpper(quantiser).AsInt32();
            if (r > 0) ac |= coefficient;
        }

        // A column whose AC terms are all zero is constant: libjpeg writes DC << Pass1Bits without the butterfly.
        var constant = Vector128.Equals(ac, Vector128<short>.Zero);
        Columns(ref left, Vector128.WidenLower(constant));
        Columns(ref right, Vector128.WidenUpper(constant));

        // Pass 2: rows, four at a time after transposing; removes both scalings and the 2^3 of the 8-point DCT.
        Half top = default, bottom = default;
        Transpose(ref left, ref right, ref top, ref bottom);
        Rows(ref top);
        Rows(ref bottom);
        Transpose(ref top, ref bottom, ref left, ref right);

        ref byte o = ref MemoryMarshal.GetReference(output);
        for (int r = 0; r < 8; r++)
        {
            var samples = Vector128.Narrow(RangeLimit(left[r]), RangeLimit(right[r]));
            var bytes = Vector128.Narrow(samples.AsUInt16(), samples.AsUInt16());
            Unsafe.WriteUnaligned(ref Unsafe.Add(ref o, r * stride), bytes.AsUInt64().ToScalar());
        }
    }

    /// <summary>The column pass on four columns, with libjpeg's shortcut where <paramref name="constant"/> is set.</summary>
    private static void Columns(ref Half x, Vector128<int> constant)
    {
        var dc = x[0] << Pass1Bits;
        Butterfly(ref x, ConstBits - Pass1Bits);
        for (int r = 0; r < 8; r++) x[r] = Vector128.ConditionalSelect(constant, dc, x[r]);
    }

    /// <summary>
    /// The row pass on four rows (lanes), whose inputs are the transposed columns. A row whose AC terms are all zero
    /// takes libjpeg's shortcut, DC descaled alone: equal to the butterfly but where <c>DC &lt;&lt; 13</c> would wrap.
    /// </summary>
    private static void Rows(ref Half x)
    {
        var ac = x[1] | x[2] | x[3] | x[4] | x[5] | x[6] | x[7];
        var constant = Vector128.Equals(ac, Vector128<int>.Zero);
        var dc = (x[0] + Vector128.Create(1 << (Pass1Bits + 2))) >> (Pass1Bits + 3);
        Butterfly(ref x, ConstBits + Pass1Bits + 3);
        for (int r = 0; r < 8; r++) x[r] = Vector128.ConditionalSelect(constant, dc, x[r]);
    }

    /// <summary>The 8-point 1-D IDCT of inputs x[0..7] in place, outputs descaled by <paramref name="shift"/> bits with rounding.</summary>
    private static void Butterfly(ref Half x, int shift)
    {
        // Even part: rotation of inputs 2 and 6, plus the DC/4 sum and difference.
        var z1 = (x[2] + x[6]) * Fix0_541196100;
        var tmp2 = z1 + (x[6] * -Fix1_847759065);
        var tmp3 = z1 + (x[2] * Fix0_765366865);
        var tmp0 = (x[0] + x[4]) << ConstBits;
        var tmp1 = (x[0] - x[4]) << ConstBits;
        var tmp10 = tmp0 + tmp3;
        var tmp13 = tmp0 - tmp3;
        var tmp11 = tmp1 + tmp2;
        var tmp12 = tmp1 - tmp2;

        // Odd part, inputs 7, 5, 3, 1.
        var t0 = x[7];
        var t1 = x[5];
        var t2 = x[3];
        var t3 = x[1];
        var o1 = t0 + t3;
        var o2 = t1 + t2;
        var o3 = t0 + t2;
        var o4 = t1 + t3;
        var z5 = (o3 + o4) * Fix1_175875602;
        t0 *= Fix0_298631336;
        t1 *= Fix2_053119869;
        t2 *= Fix3_072711026;
        t3 *= Fix1_501321110;
        o1 *= -Fix0_899976223;
        o2 *= -Fix2_562915447;
        o3 = (o3 * -Fix1_961570560) + z5;
        o4 = (o4 * -Fix0_390180644) + z5;
        t0 += o1 + o3;
        t1 += o2 + o4;
        t2 += o2 + o3;
        t3 += o1 + o4;

        var round = Vector128.Create(1 << (shift - 1));
        x[0] = (tmp10 + t3 + round) >> shift;
        x[7] = (tmp10 - t3 + round) >> shift;
        x[1] = (tmp11 + t2 + round) >> shift;
        x[6] = (tmp11 - t2 + round) >> shift;
        x[2] = (tmp12 + t1 + round) >> shift;
        x[5] = (tmp12 - t1 + round) >> shift;
        x[3] = (tmp13 + t0 + round) >> shift;
        x[4] = (tmp13 - t0 + round) >> shift;
    }

    /// <summary>
    /// Transposes the 8×8 block held as rows (<paramref name="left"/>: columns 0–3, <paramref name="right"/>: 4–7) into
    /// <paramref name="top"/> (rows 0–3 as lanes, one vector per column) and <paramref name="bottom"/> (rows 4–7).
    /// </summary>
    private static void Transpose(ref Half left, ref Half right, ref Half top, ref Half bottom)
    {
        for (int r = 0; r < 8; r += 4)
        {
            ref Half to = ref r == 0 ? ref top : ref bottom;
            Transpose4(left[r], left[r + 1], left[r + 2], left[r + 3], out to[0], out to[1], out to[2], out to[3]);
            Transpose4(right[r], right[r + 1], right[r + 2], right[r + 3], out to[4], out to[5], out to[6], out to[7]);
        }
    }

    /// <summary>Transposes a 4×4 block of rows a, b, c, d.</summary>
    private static void Transpose4(Vector128<int> a, Vector128<int> b, Vector128<int> c, Vector128<int> d,
        out Vector128<int> w, out Vector128<int> x, out Vector128<int> y, out Vector128<int> z)
    {
        if (Sse2.IsSupported)
        {
            var ab0 = Sse2.UnpackLow(a, b).AsInt64();
            var cd0 = Sse2.UnpackLow(c, d).AsInt64();
            var ab1 = Sse2.UnpackHigh(a, b).AsInt64();
            var cd1 = Sse2.UnpackHigh(c, d).AsInt64();
            (w, x) = (Sse2.UnpackLow(ab0, cd0).AsInt32(), Sse2.UnpackHigh(ab0, cd0).AsInt32());
            (y, z) = (Sse2.UnpackLow(ab1, cd1).AsInt32(), Sse2.UnpackHigh(ab1, cd1).AsInt32());
        }
        else if (AdvSimd.Arm64.IsSupported)
        {
            var ab0 = AdvSimd.Arm64.ZipLow(a, b).AsInt64();
            var cd0 = AdvSimd.Arm64.ZipLow(c, d).AsInt64();
            var ab1 = AdvSimd.Arm64.ZipHigh(a, b).AsInt64();
            var cd1 = AdvSimd.Arm64.ZipHigh(c, d).AsInt64();
            (w, x) = (AdvSimd.Arm64.ZipLow(ab0, cd0).AsInt32(), AdvSimd.Arm64.ZipHigh(ab0, cd0).AsInt32());
            (y, z) = (AdvSimd.Arm64.ZipLow(ab1, cd1).AsInt32(), AdvSimd.Arm64.ZipHigh(ab1, cd1).AsInt32());
        }
        else
        {
            w = Vector128.Create(a[0], b[0], c[0], d[0]);
            x = Vector128.Create(a[1], b[1], c[1], d[1]);
            y = Vector128.Create(a[2], b[2], c[2], d[2]);
            z = Vector128.Create(a[3], b[3], c[3], d[3]);
        }
    }

    /// <summary>libjpeg's post-IDCT range limit: add 128, clamp to 0..255, with its 10-bit wrap-around for wild values.</summary>
    private static Vector128<int> RangeLimit(Vector128<int> value)
    {
        var wrapped = ((value + Vector128.Create(512)) & Vector128.Create(1023)) - Vector128.Create(512);
        return Vector128.Clamp(wrapped + Vector128.Create(128), Vector128<int>.Zero, Vector128.Create(255));
    }
}

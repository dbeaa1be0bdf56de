namespace CrossVit.Tests.Imaging;

/// <summary>
/// The reference for <c>Idct</c>: libjpeg's <c>jidctint.c</c> (JDCT_ISLOW) ported line for line, one column and then
/// one row at a time, with its shortcuts for all-zero AC terms; C's int arithmetic, wrapping as it does in practice.
/// </summary>
internal static class IdctReference
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

    /// <summary>Dequantises and inverse-transforms one block, writing 8×8 level-shifted, range-limited samples.</summary>
    public static void Transform(ReadOnlySpan<short> coefficients, ReadOnlySpan<ushort> quant, Span<byte> output, int stride)
    {
        Span<int> workspace = stackalloc int[64];

        // Pass 1: columns, results scaled up by 2^Pass1Bits.
        for (int col = 0; col < 8; col++)
        {
            if (coefficients[8 + col] == 0 && coefficients[16 + col] == 0 && coefficients[24 + col] == 0 &&
                coefficients[32 + col] == 0 && coefficients[40 + col] == 0 && coefficients[48 + col] == 0 &&
                coefficients[56 + col] == 0)
            {
                // AC terms zero: the column is constant (same result as the full computation, cheaper).
                int dc = coefficients[col] * quant[col] << Pass1Bits;
                for (int row = 0; row < 8; row++)
                {
                    workspace[(row * 8) + col] = dc;
                }

                continue;
            }

            Butterfly(
                coefficients[col] * quant[col],
                coefficients[8 + col] * quant[8 + col],
                coefficients[16 + col] * quant[16 + col],
                coefficients[24 + col] * quant[24 + col],
                coefficients[32 + col] * quant[32 + col],
                coefficients[40 + col] * quant[40 + col],
                coefficients[48 + col] * quant[48 + col],
                coefficients[56 + col] * quant[56 + col],
                ConstBits - Pass1Bits,
                workspace[col..],
                8);
        }

        // Pass 2: rows, removing both scalings and the 2^3 of the 8-point DCT, then level shift and range limit.
        Span<int> rowOut = stackalloc int[8];
        for (int row = 0; row < 8; row++)
        {
            Span<int> w = workspace.Slice(row * 8, 8);
            Span<byte> outRow = output.Slice(row * stride, 8);
            if (w[1] == 0 && w[2] == 0 && w[3] == 0 && w[4] == 0 && w[5] == 0 && w[6] == 0 && w[7] == 0)
            {
                outRow.Fill(RangeLimit((w[0] + (1 << (Pass1Bits + 2))) >> (Pass1Bits + 3)));
                continue;
            }

            Butterfly(w[0], w[1], w[2], w[3], w[4], w[5], w[6], w[7], ConstBits + Pass1Bits + 3, rowOut, 1);
            for (int i = 0; i < 8; i++)
            {
                outRow[i] = RangeLimit(rowOut[i]);
            }
        }
    }

    /// <summary>The 8-point 1-D IDCT; writes outputs descaled by <paramref name="shift"/> bits at <paramref name="step"/> intervals.</summary>
    private static void Butterfly(int in0, int in1, int in2, int in3, int in4, int in5, int in6, int in7, int shift, Span<int> output, int step)
    {
        // Even part: rotation of inputs 2 and 6, plus the DC/4 sum and difference.
        int z1 = (in2 + in6) * Fix0_541196100;
        int tmp2 = z1 + (in6 * -Fix1_847759065);
        int tmp3 = z1 + (in2 * Fix0_765366865);
        int tmp0 = (in0 + in4) << ConstBits;
        int tmp1 = (in0 - in4) << ConstBits;
        int tmp10 = tmp0 + tmp3;
        int tmp13 = tmp0 - tmp3;
        int tmp11 = tmp1 + tmp2;
        int tmp12 = tmp1 - tmp2;

        // Odd part, inputs 7, 5, 3, 1.
        int t0 = in7, t1 = in5, t2 = in3, t3 = in1;
        int o1 = t0 + t3;
        int o2 = t1 + t2;
        int o3 = t0 + t2;
        int o4 = t1 + t3;
        int z5 = (o3 + o4) * Fix1_175875602;
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

        int round = 1 << (shift - 1);
        output[0] = (tmp10 + t3 + round) >> shift;
        output[7 * step] = (tmp10 - t3 + round) >> shift;
        output[1 * step] = (tmp11 + t2 + round) >> shift;
        output[6 * step] = (tmp11 - t2 + round) >> shift;
        output[2 * step] = (tmp12 + t1 + round) >> shift;
        output[5 * step] = (tmp12 - t1 + round) >> shift;
        output[3 * step] = (tmp13 + t0 + round) >> shift;
        output[4 * step] = (tmp13 - t0 + round) >> shift;
    }

    /// <summary>libjpeg's post-IDCT range limit: add 128, clamp to 0..255, with its 10-bit wrap-around for wild values.</summary>
    private static byte RangeLimit(int value)
    {
        int wrapped = ((value + 512) & 1023) - 512;
        return (byte)Math.Clamp(wrapped + 128, 0, 255);
    }
}

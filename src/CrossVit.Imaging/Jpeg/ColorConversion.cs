using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace CrossVit.Imaging.Jpeg;

/// <summary>
/// YCbCr → RGB with the fixed-point tables of libjpeg's <c>jdcolor.c</c> (16 fraction bits, rounding folded into the
/// tables), so results are bit-identical to libjpeg's.
/// </summary>
internal static class ColorConversion
{
    private const int ScaleBits = 16;
    private const int OneHalf = 1 << (ScaleBits - 1);

    // jdcolor.c's factors in 16-bit fixed point.
    private static readonly int RedPerCr = Fix(1.40200), BluePerCb = Fix(1.77200), GreenPerCb = -Fix(0.34414), GreenPerCr = -Fix(0.71414);

    // Indexed by the chroma sample; x = sample - 128.
    private static readonly int[] CrToR = Table(x => ((RedPerCr * x) + OneHalf) >> ScaleBits);
    private static readonly int[] CbToB = Table(x => ((BluePerCb * x) + OneHalf) >> ScaleBits);
    private static readonly int[] CrToG = Table(x => GreenPerCr * x);
    private static readonly int[] CbToG = Table(x => (GreenPerCb * x) + OneHalf);

    /// <summary>Converts full-size Y, Cb, Cr planes into interleaved RGB.</summary>
    public static void YCbCrToRgb(ReadOnlySpan<byte> y, ReadOnlySpan<byte> cb, ReadOnlySpan<byte> cr, Span<byte> rgb)
    {
        int n = y.Length;
        if (cb.Length != n || cr.Length != n || rgb.Length != 3 * n)
        {
            throw new ArgumentException($"Expected three planes of {n} samples and {3 * n} bytes of RGB; got {cb.Length}, {cr.Length} and {rgb.Length}.");
        }

        if (!Vector128.IsHardwareAccelerated || n < Pixels)
        {
            YCbCrToRgbScalar(y, cb, cr, rgb);
            return;
        }

        foreach (int i in new EightSteps(0, n))
        {
            Convert8(y, cb, cr, rgb, i);
        }
    }

    /// <summary>The same conversion a pixel at a time through libjpeg's tables: short planes, and the tests' reference.</summary>
    internal static void YCbCrToRgbScalar(ReadOnlySpan<byte> y, ReadOnlySpan<byte> cb, ReadOnlySpan<byte> cr, Span<byte> rgb)
    {
        for (int i = 0; i < y.Length; i++)
        {
            int luma = y[i];
            int blue = cb[i];
            int red = cr[i];
            rgb[3 * i] = Clamp(luma + CrToR[red]);
            rgb[(3 * i) + 1] = Clamp(luma + ((CbToG[blue] + CrToG[red]) >> ScaleBits));
            rgb[(3 * i) + 2] = Clamp(luma + CbToB[blue]);
        }
    }

    private const int Pixels = EightSteps.Width;

    /// <summary>
    /// Pixels [i, i + 8): the tables' entries computed, not looked up (each is its formula in 32-bit integers, so the
    /// sums are the same), then R, G and B clamped and interleaved by two byte shuffles.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Convert8(ReadOnlySpan<byte> y, ReadOnlySpan<byte> cb, ReadOnlySpan<byte> cr, Span<byte> rgb, int i)
    {
        var (lumaLow, lumaHigh) = Load8(y, i, 0);
        var (cbLow, cbHigh) = Load8(cb, i, 128);
        var (crLow, crHigh) = Load8(cr, i, 128);
        var (redLow, greenLow, blueLow) = Convert4(lumaLow, cbLow, crLow);
        var (redHigh, greenHigh, blueHigh) = Convert4(lumaHigh, cbHigh, crHigh);
        // Narrowed straight into R0..R7 G0..G7 and B0..B7: halves taken and joined would pass through the stack.
        var redGreen = Vector128.Narrow(Clamp8(redLow, redHigh), Clamp8(greenLow, greenHigh));
        var blueOnly = Vector128.Narrow(Clamp8(blueLow, blueHigh), Vector128<ushort>.Zero);
        Span<byte> output = rgb.Slice(3 * i, 3 * Pixels);
        (Vector128.Shuffle(redGreen, RedGreenFirst) | Vector128.Shuffle(blueOnly, BlueFirst)).CopyTo(output);
        BinaryPrimitives.WriteUInt64LittleEndian(output[16..], (Vector128.Shuffle(redGreen, RedGreenLast) | Vector128.Shuffle(blueOnly, BlueLast)).AsUInt64().ToScalar());
    }

    /// <summary>Four pixels' R, G and B before clamping: the tables' sums, with Cb and Cr less 128.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static (Vector128<int> R, Vector128<int> G, Vector128<int> B) Convert4(Vector128<int> luma, Vector128<int> cb, Vector128<int> cr)
    {
        var half = Vector128.Create(OneHalf);
        return (luma + (((cr * RedPerCr) + half) >> ScaleBits),
            luma + (((cb * GreenPerCb) + half + (cr * GreenPerCr)) >> ScaleBits),
            luma + (((cb * BluePerCb) + half) >> ScaleBits));
    }

    /// <summary>Samples [i, i + 8) of a plane, less <paramref name="bias"/>, as two vectors of four ints.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static (Vector128<int> Low, Vector128<int> High) Load8(ReadOnlySpan<byte> plane, int i, int bias)
    {
        var shorts = EightSamples.Load(plane[i..]);
        var offset = Vector128.Create(bias);
        return (Vector128.WidenLower(shorts).AsInt32() - offset, Vector128.WidenUpper(shorts).AsInt32() - offset);
    }

    /// <summary>Clamps eight ints to 0..255, as eight unsigned shorts.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<ushort> Clamp8(Vector128<int> low, Vector128<int> high)
    {
        var max = Vector128.Create(255);
        return Vector128.Narrow(Vector128.Clamp(low, Vector128<int>.Zero, max), Vector128.Clamp(high, Vector128<int>.Zero, max)).AsUInt16();
    }

    // Byte k of the 24 output bytes is R, G or B of pixel k / 3; an index past 15 gives zero, so each output is the OR
    // of the R/G part and the B part.
    private static readonly Vector128<byte> RedGreenFirst = Vector128.Create((byte)0, 8, 255, 1, 9, 255, 2, 10, 255, 3, 11, 255, 4, 12, 255, 5);
    private static readonly Vector128<byte> BlueFirst = Vector128.Create((byte)255, 255, 0, 255, 255, 1, 255, 255, 2, 255, 255, 3, 255, 255, 4, 255);
    private static readonly Vector128<byte> RedGreenLast = Vector128.Create((byte)13, 255, 6, 14, 255, 7, 15, 255, 255, 255, 255, 255, 255, 255, 255, 255);
    private static readonly Vector128<byte> BlueLast = Vector128.Create((byte)255, 5, 255, 255, 6, 255, 255, 7, 255, 255, 255, 255, 255, 255, 255, 255);

    /// <summary>Interleaves planes that already hold R, G and B (Adobe transform 0 or 'R','G','B' component ids).</summary>
    public static void Interleave(ReadOnlySpan<byte> r, ReadOnlySpan<byte> g, ReadOnlySpan<byte> b, Span<byte> rgb)
    {
        for (int i = 0; i < r.Length; i++)
        {
            rgb[3 * i] = r[i];
            rgb[(3 * i) + 1] = g[i];
            rgb[(3 * i) + 2] = b[i];
        }
    }

    private static int[] Table(Func<int, int> entry) => Enumerable.Range(-128, 256).Select(entry).ToArray();

    private static int Fix(double x) => (int)((x * (1 << ScaleBits)) + 0.5);

    private static byte Clamp(int v) => (byte)Math.Clamp(v, 0, 255);
}

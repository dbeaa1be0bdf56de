namespace CrossVit.Imaging.Jpeg;

/// <summary>
/// YCbCr → RGB with the fixed-point tables of libjpeg's <c>jdcolor.c</c> (16 fraction bits, rounding folded into the
/// tables), so results are bit-identical to libjpeg's.
/// </summary>
internal static class ColorConversion
{
    private const int ScaleBits = 16;
    private const int OneHalf = 1 << (ScaleBits - 1);

    // Indexed by the chroma sample; x = sample - 128.
    private static readonly int[] CrToR = Table(x => ((Fix(1.40200) * x) + OneHalf) >> ScaleBits);
    private static readonly int[] CbToB = Table(x => ((Fix(1.77200) * x) + OneHalf) >> ScaleBits);
    private static readonly int[] CrToG = Table(x => -Fix(0.71414) * x);
    private static readonly int[] CbToG = Table(x => (-Fix(0.34414) * x) + OneHalf);

    /// <summary>Converts full-size Y, Cb, Cr planes into interleaved RGB.</summary>
    public static void YCbCrToRgb(ReadOnlySpan<byte> y, ReadOnlySpan<byte> cb, ReadOnlySpan<byte> cr, Span<byte> rgb)
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

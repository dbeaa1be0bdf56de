namespace CrossVit.Imaging.Resampling;

/// <summary>
/// Per-output-pixel fixed-point bicubic weights along one axis, computed exactly as Pillow's
/// <c>precompute_coeffs</c> + <c>normalize_coeffs_8bpc</c> do so that results are bit-identical.
/// </summary>
internal sealed class ResampleKernel
{
    /// <summary>Fixed-point fraction bits: 32 bits minus 8 for the sample minus 2 headroom bits for negative lobes and overshoot.</summary>
    public const int PrecisionBits = 32 - 8 - 2;

    private const double BicubicSupport = 2.0;

    private ResampleKernel(int[] start, int[] count, int[] weights, int stride)
    {
        Start = start;
        Count = count;
        Weights = weights;
        Stride = stride;
    }

    /// <summary>First input index read by each output pixel.</summary>
    public int[] Start { get; }

    /// <summary>Number of input samples read by each output pixel.</summary>
    public int[] Count { get; }

    /// <summary>Weights, <see cref="Stride"/> per output pixel.</summary>
    public int[] Weights { get; }

    /// <summary>Distance between consecutive output pixels' weights.</summary>
    public int Stride { get; }

    /// <summary>Steps of four taps that cover <see cref="Stride"/>.</summary>
    public int Groups => (Stride + 3) / 4;

    /// <summary>
    /// The weights spread over interleaved RGB for the horizontal pass: per output pixel, <see cref="Groups"/> runs of
    /// 12 ints, each tap's weight three times (zero past its taps).
    /// </summary>
    public int[] SpreadWeights => _spread ??= Spread();

    private int[]? _spread;

    private int[] Spread()
    {
        var spread = new int[Start.Length * Groups * 12];
        for (int i = 0; i < Start.Length; i++)
        {
            for (int t = 0; t < Count[i]; t++)
            {
                spread.AsSpan((i * Groups * 12) + (3 * t), 3).Fill(Weights[(i * Stride) + t]);
            }
        }

        return spread;
    }

    /// <summary>Smallest input index any output pixel reads.</summary>
    public int MinInput => Start.Length == 0 ? 0 : Start.Min();

    /// <summary>One past the largest input index any output pixel reads.</summary>
    public int EndInput
    {
        get
        {
            int end = 0;
            for (int i = 0; i < Start.Length; i++)
            {
                end = Math.Max(end, Start[i] + Count[i]);
            }

            return end;
        }
    }

    /// <summary>Computes weights for output pixels <c>[first, first + count)</c> of an <paramref name="inSize"/> → <paramref name="outSize"/> resize.</summary>
    public static ResampleKernel Compute(int inSize, int outSize, int first, int count)
    {
        // Pillow passes the box edges as floats and widens to double; for realistic sizes that is exact.
        double scale = (double)(float)inSize / outSize;
        double filterScale = Math.Max(scale, 1.0);
        double support = BicubicSupport * filterScale;
        int stride = ((int)Math.Ceiling(support) * 2) + 1;
        double invFilterScale = 1.0 / filterScale;

        var start = new int[count];
        var taps = new int[count];
        var weights = new int[count * stride];
        var raw = new double[stride];
        for (int i = 0; i < count; i++)
        {
            double center = (first + i + 0.5) * scale;
            int min = Math.Max((int)(center - support + 0.5), 0);
            int n = Math.Min((int)(center + support + 0.5), inSize) - min;
            double sum = 0.0;
            for (int x = 0; x < n; x++)
            {
                double w = Bicubic((x + min - center + 0.5) * invFilterScale);
                raw[x] = w;
                sum += w;
            }

            for (int x = 0; x < n; x++)
            {
                double w = sum != 0.0 ? raw[x] / sum : raw[x];
                double scaled = w * (1 << PrecisionBits);
                weights[(i * stride) + x] = (int)(w < 0 ? scaled - 0.5 : scaled + 0.5);
            }

            start[i] = min;
            taps[i] = Math.Max(n, 0);
        }

        return new ResampleKernel(start, taps, weights, stride);
    }

    /// <summary>Keys' cubic convolution with a = -0.5, as Pillow uses (not the -0.75 of some other libraries).</summary>
    private static double Bicubic(double x)
    {
        const double a = -0.5;
        if (x < 0.0)
        {
            x = -x;
        }

        if (x < 1.0)
        {
            return ((((a + 2.0) * x) - (a + 3.0)) * x * x) + 1;
        }

        if (x < 2.0)
        {
            return ((((x - 5) * x) + 8) * x - 4) * a;
        }

        return 0.0;
    }
}

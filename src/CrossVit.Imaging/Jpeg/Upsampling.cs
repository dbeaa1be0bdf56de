namespace CrossVit.Imaging.Jpeg;

/// <summary>
/// Chroma upsampling as libjpeg-turbo's <c>jdsample.c</c> does with its default <c>do_fancy_upsampling</c>:
/// triangle filters for 2×1, 1×2 and 2×2 (with alternating rounding biases), box replication otherwise.
/// Edge samples are replicated, matching libjpeg's context-row handling.
/// </summary>
internal static class Upsampling
{
    /// <summary>Expands a component plane to <paramref name="width"/> × <paramref name="height"/> samples.</summary>
    /// <param name="plane">Decoded samples, <paramref name="stride"/> bytes per row.</param>
    /// <param name="stride">Row pitch of <paramref name="plane"/>.</param>
    /// <param name="inWidth">Real (downsampled) width of the component.</param>
    /// <param name="inHeight">Real (downsampled) height of the component.</param>
    /// <param name="hFactor">Horizontal expansion (maxH / H).</param>
    /// <param name="vFactor">Vertical expansion (maxV / V).</param>
    /// <param name="width">Output width.</param>
    /// <param name="height">Output height.</param>
    /// <param name="output">At least <paramref name="width"/> × <paramref name="height"/> bytes; the first that many are written, row by row.</param>
    public static void Expand(byte[] plane, int stride, int inWidth, int inHeight, int hFactor, int vFactor, int width, int height, byte[] output)
    {
        for (int y = 0; y < height; y++)
        {
            Span<byte> outRow = output.AsSpan(y * width, width);
            switch (hFactor, vFactor)
            {
                case (1, 1):
                    plane.AsSpan(y * stride, width).CopyTo(outRow);
                    break;
                case (2, 1) when inWidth > 2:
                    H2V1(Row(plane, stride, y), inWidth, outRow);
                    break;
                case (1, 2):
                    H1V2(Row(plane, stride, y >> 1), Row(plane, stride, NeighbourRow(y, inHeight)), (y & 1) == 0 ? 1 : 2, outRow);
                    break;
                case (2, 2) when inWidth > 2:
                    H2V2(Row(plane, stride, y >> 1), Row(plane, stride, NeighbourRow(y, inHeight)), inWidth, outRow);
                    break;
                default:
                    Replicate(Row(plane, stride, y / vFactor), hFactor, outRow);
                    break;
            }
        }
    }

    private static ReadOnlySpan<byte> Row(byte[] plane, int stride, int y) => plane.AsSpan(y * stride, stride);

    /// <summary>For 2:1 vertical: the next-nearest input row of output row <paramref name="y"/>, clamped to the real rows.</summary>
    private static int NeighbourRow(int y, int inHeight) => Math.Clamp((y & 1) == 0 ? (y >> 1) - 1 : (y >> 1) + 1, 0, inHeight - 1);

    /// <summary>Outputs at 1/4 and 3/4 between input centres: (3·nearer + further + 1 or 2) / 4.</summary>
    private static void H2V1(ReadOnlySpan<byte> input, int inWidth, Span<byte> output)
    {
        for (int x = 0; x < inWidth; x++)
        {
            int near = input[x] * 3;
            int left = input[Math.Max(x - 1, 0)];
            int right = input[Math.Min(x + 1, inWidth - 1)];
            Put(output, 2 * x, (near + left + 1) >> 2);
            Put(output, (2 * x) + 1, (near + right + 2) >> 2);
        }
    }

    private static void H1V2(ReadOnlySpan<byte> nearest, ReadOnlySpan<byte> neighbour, int bias, Span<byte> output)
    {
        for (int x = 0; x < output.Length; x++)
        {
            output[x] = (byte)(((nearest[x] * 3) + neighbour[x] + bias) >> 2);
        }
    }

    /// <summary>Vertical triangle into column sums, then horizontal triangle: weights 9/16, 3/16, 3/16, 1/16.</summary>
    private static void H2V2(ReadOnlySpan<byte> nearest, ReadOnlySpan<byte> neighbour, int inWidth, Span<byte> output)
    {
        for (int x = 0; x < inWidth; x++)
        {
            int here = ColumnSum(nearest, neighbour, x);
            int left = ColumnSum(nearest, neighbour, Math.Max(x - 1, 0));
            int right = ColumnSum(nearest, neighbour, Math.Min(x + 1, inWidth - 1));
            Put(output, 2 * x, ((here * 3) + left + 8) >> 4);
            Put(output, (2 * x) + 1, ((here * 3) + right + 7) >> 4);
        }
    }

    private static int ColumnSum(ReadOnlySpan<byte> nearest, ReadOnlySpan<byte> neighbour, int x) => (nearest[x] * 3) + neighbour[x];

    private static void Replicate(ReadOnlySpan<byte> input, int hFactor, Span<byte> output)
    {
        for (int x = 0; x < output.Length; x++)
        {
            output[x] = input[x / hFactor];
        }
    }

    /// <summary>Writes a sample unless it falls in the padding past the image's right edge.</summary>
    private static void Put(Span<byte> output, int x, int value)
    {
        if (x < output.Length)
        {
            output[x] = (byte)value;
        }
    }
}

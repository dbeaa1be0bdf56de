using System.Buffers;
using System.Runtime.Intrinsics;

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
        // The 2:1 horizontal filters run on a row of 16-bit column values: the samples, or for 2×2 the vertical sums.
        ushort[] columns = ArrayPool<ushort>.Shared.Rent(inWidth);
        try
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
                        ColumnSums(Row(plane, stride, y), Row(plane, stride, y), 0, inWidth, columns);
                        Triangle(columns, inWidth, 1, 2, 2, outRow);
                        break;
                    case (1, 2):
                        H1V2(Row(plane, stride, y >> 1), Row(plane, stride, NeighbourRow(y, inHeight)), (y & 1) == 0 ? 1 : 2, outRow);
                        break;
                    case (2, 2) when inWidth > 2:
                        ColumnSums(Row(plane, stride, y >> 1), Row(plane, stride, NeighbourRow(y, inHeight)), 3, inWidth, columns);
                        Triangle(columns, inWidth, 8, 7, 4, outRow);
                        break;
                    default:
                        Replicate(Row(plane, stride, y / vFactor), hFactor, outRow);
                        break;
                }
            }
        }
        finally
        {
            ArrayPool<ushort>.Shared.Return(columns);
        }
    }

    private static ReadOnlySpan<byte> Row(byte[] plane, int stride, int y) => plane.AsSpan(y * stride, stride);

    /// <summary>For 2:1 vertical: the next-nearest input row of output row <paramref name="y"/>, clamped to the real rows.</summary>
    private static int NeighbourRow(int y, int inHeight) => Math.Clamp((y & 1) == 0 ? (y >> 1) - 1 : (y >> 1) + 1, 0, inHeight - 1);

    private static void H1V2(ReadOnlySpan<byte> nearest, ReadOnlySpan<byte> neighbour, int bias, Span<byte> output)
    {
        for (int x = 0; x < output.Length; x++)
        {
            output[x] = (byte)(((nearest[x] * 3) + neighbour[x] + bias) >> 2);
        }
    }

    /// <summary>
    /// <c>columns[x] = nearestWeight · nearest[x] + neighbour[x]</c> for x &lt; <paramref name="inWidth"/>: the 2×2
    /// filter's vertical triangle (weights 3 and 1), or with weight 0 and one row the samples themselves (2×1).
    /// </summary>
    internal static void ColumnSums(ReadOnlySpan<byte> nearest, ReadOnlySpan<byte> neighbour, int nearestWeight, int inWidth, Span<ushort> columns)
    {
        if (inWidth < Lanes)
        {
            for (int x = 0; x < inWidth; x++)
            {
                columns[x] = (ushort)((nearest[x] * nearestWeight) + neighbour[x]);
            }

            return;
        }

        var weight = Vector128.Create((ushort)nearestWeight);
        foreach (int x in new EightSteps(0, inWidth))
        {
            (EightSamples.Load(nearest[x..]) * weight + EightSamples.Load(neighbour[x..])).CopyTo(columns[x..]);
        }
    }

    /// <summary>
    /// The 2:1 horizontal triangle over column values: output 2x is <c>(3·c[x] + c[x − 1] + evenBias) &gt;&gt; shift</c>,
    /// output 2x + 1 is <c>(3·c[x] + c[x + 1] + oddBias) &gt;&gt; shift</c>, with the edge columns replicated; samples
    /// past the end of <paramref name="output"/> (an odd width's padding) are not written.
    /// </summary>
    internal static void Triangle(ReadOnlySpan<ushort> columns, int inWidth, int evenBias, int oddBias, int shift, Span<byte> output)
    {
        TriangleAt(columns, inWidth, 0, evenBias, oddBias, shift, output);
        TriangleAt(columns, inWidth, inWidth - 1, evenBias, oddBias, shift, output);
        int interior = inWidth - 2;   // columns 1 .. inWidth − 2 have both neighbours
        if (interior < Lanes)
        {
            for (int x = 1; x <= interior; x++)
            {
                TriangleAt(columns, inWidth, x, evenBias, oddBias, shift, output);
            }

            return;
        }

        var even = Vector128.Create((ushort)evenBias);
        var odd = Vector128.Create((ushort)oddBias);
        foreach (int x in new EightSteps(1, interior + 1))
        {
            var here = Vector128.Create(columns.Slice(x, Lanes)) * 3;
            var left = Vector128.ShiftRightLogical(here + Vector128.Create(columns.Slice(x - 1, Lanes)) + even, shift);
            var right = Vector128.ShiftRightLogical(here + Vector128.Create(columns.Slice(x + 1, Lanes)) + odd, shift);
            // Both are at most 255: as 16-bit lanes, even | odd << 8 is the interleaved byte pair.
            (left | Vector128.ShiftLeft(right, 8)).AsByte().CopyTo(output[(2 * x)..]);
        }
    }

    private static void TriangleAt(ReadOnlySpan<ushort> columns, int inWidth, int x, int evenBias, int oddBias, int shift, Span<byte> output)
    {
        int here = columns[x] * 3;
        Put(output, 2 * x, (here + columns[Math.Max(x - 1, 0)] + evenBias) >> shift);
        Put(output, (2 * x) + 1, (here + columns[Math.Min(x + 1, inWidth - 1)] + oddBias) >> shift);
    }

    private const int Lanes = EightSteps.Width;

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

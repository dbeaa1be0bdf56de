using System.Buffers;

namespace CrossVit.Imaging.Jpeg;

/// <summary>Turns decoded coefficients into RGB pixels: IDCT per component, upsampling, colour conversion.</summary>
internal static class JpegOutput
{
    public static RgbImage ToRgb(JpegFrame frame, bool componentsAreRgb)
    {
        int width = frame.Width, height = frame.Height, size = width * height;
        // The planes are pooled, like the coefficients: only the pixels handed to the caller are allocated.
        var planes = new byte[frame.Components.Length][];
        try
        {
            for (int i = 0; i < planes.Length; i++)
            {
                JpegComponent c = frame.Components[i];
                int stride = c.WidthInBlocks * 8;
                byte[] samples = Reconstruct(c, stride);
                planes[i] = ArrayPool<byte>.Shared.Rent(size);
                Upsampling.Expand(samples, stride, c.DownsampledWidth, c.DownsampledHeight, frame.MaxH / c.H, frame.MaxV / c.V, width, height, planes[i]);
                ArrayPool<byte>.Shared.Return(samples);
            }

            var pixels = new byte[(long)size * 3];
            ReadOnlySpan<byte> first = planes[0].AsSpan(0, size);
            if (planes.Length == 1)
            {
                ColorConversion.Interleave(first, first, first, pixels);
            }
            else if (componentsAreRgb)
            {
                ColorConversion.Interleave(first, planes[1].AsSpan(0, size), planes[2].AsSpan(0, size), pixels);
            }
            else
            {
                ColorConversion.YCbCrToRgb(first, planes[1].AsSpan(0, size), planes[2].AsSpan(0, size), pixels);
            }

            return new RgbImage(width, height, pixels);
        }
        finally
        {
            foreach (byte[]? plane in planes)
            {
                if (plane is not null) ArrayPool<byte>.Shared.Return(plane);
            }
        }
    }

    /// <summary>Inverse-transforms the component's real blocks into a pooled sample plane <paramref name="stride"/> bytes wide.</summary>
    private static byte[] Reconstruct(JpegComponent c, int stride)
    {
        var plane = ArrayPool<byte>.Shared.Rent(stride * c.HeightInBlocks * 8);
        ushort[] quant = c.Quant!;
        for (int by = 0; by < c.HeightInBlocks; by++)
        {
            for (int bx = 0; bx < c.WidthInBlocks; bx++)
            {
                long block = ((long)by * c.BlocksPerLine) + bx;
                Idct.Transform(c.Coefficients.AsSpan((int)(block * 64), 64), quant, plane.AsSpan((by * 8 * stride) + (bx * 8)), stride);
            }
        }

        return plane;
    }
}

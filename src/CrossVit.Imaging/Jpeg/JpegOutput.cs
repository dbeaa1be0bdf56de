namespace CrossVit.Imaging.Jpeg;

/// <summary>Turns decoded coefficients into RGB pixels: IDCT per component, upsampling, colour conversion.</summary>
internal static class JpegOutput
{
    public static RgbImage ToRgb(JpegFrame frame, bool componentsAreRgb)
    {
        int width = frame.Width, height = frame.Height;
        var planes = new byte[frame.Components.Length][];
        for (int i = 0; i < planes.Length; i++)
        {
            JpegComponent c = frame.Components[i];
            int stride = c.WidthInBlocks * 8;
            planes[i] = Upsampling.Expand(
                Reconstruct(c, stride), stride, c.DownsampledWidth, c.DownsampledHeight, frame.MaxH / c.H, frame.MaxV / c.V, width, height);
        }

        var pixels = new byte[(long)width * height * 3];
        if (planes.Length == 1)
        {
            ColorConversion.Interleave(planes[0], planes[0], planes[0], pixels);
        }
        else if (componentsAreRgb)
        {
            ColorConversion.Interleave(planes[0], planes[1], planes[2], pixels);
        }
        else
        {
            ColorConversion.YCbCrToRgb(planes[0], planes[1], planes[2], pixels);
        }

        return new RgbImage(width, height, pixels);
    }

    /// <summary>Inverse-transforms the component's real blocks into a sample plane <paramref name="stride"/> bytes wide.</summary>
    private static byte[] Reconstruct(JpegComponent c, int stride)
    {
        var plane = new byte[(long)stride * c.HeightInBlocks * 8];
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

namespace CrossVit.Runtime.Kernels.Gemm;

/// <summary>
/// Implicit im2col of a channels-last image: row m is output pixel (m / outW, m % outW), column k is
/// (ky, kx, ci) in that order, so each kernel row inside the image is one contiguous run of kw·cin floats,
/// copied straight from the image into the block. Rows start at output pixel <c>firstPixel</c>, so threads can each
/// compute a band of the output.
/// </summary>
internal readonly unsafe struct ConvPatchA(float* x, int inH, int inW, int cin, int kw, int stride, int pad, int outW, int firstPixel) : IASource
{
    public float* Block(int row0, int rows, int k0, int kc, float* workspace, out long lda)
    {
        lda = kc;
        var rowLength = kw * cin;
        for (var r = 0; r < rows; r++)
        {
            var m = firstPixel + row0 + r;
            var oy = m / outW;
            var ox = m - (oy * outW);
            var dst = new Span<float>(workspace + ((long)r * kc), kc);
            var k = k0;
            var end = k0 + kc;
            while (k < end)
            {
                var ky = k / rowLength;
                var rest = k - (ky * rowLength);
                var kx = rest / cin;
                var ci = rest - (kx * cin);
                var iy = (oy * stride) - pad + ky;
                var ix = (ox * stride) - pad + kx;
                var rowInside = (uint)iy < (uint)inH;
                var inside = rowInside && (uint)ix < (uint)inW;
                // Extend the run over the following taps of this kernel row while they stay on the same side of the border.
                var kxEnd = kx + 1;
                while (kxEnd < kw && (!rowInside || ((uint)((ox * stride) - pad + kxEnd) < (uint)inW) == inside))
                {
                    kxEnd++;
                }

                var run = Math.Min((kxEnd * cin) - rest, end - k);
                var d = dst.Slice(k - k0, run);
                if (inside)
                {
                    new ReadOnlySpan<float>(x + ((((long)iy * inW) + ix) * cin) + ci, run).CopyTo(d);
                }
                else
                {
                    d.Clear();
                }

                k += run;
            }
        }

        return workspace;
    }
}

namespace CrossVit.Runtime.Kernels.Gemm;

/// <summary>
/// Implicit im2col of a channels-last image: row m is output pixel (m / outW, m % outW), column k is
/// (ky, kx, ci) in that order, so each (ky, kx) contributes a contiguous run of cin floats read straight from the image.
/// </summary>
internal readonly unsafe struct ConvPatchA(float* x, int inH, int inW, int cin, int kw, int stride, int pad, int outW) : IPackA
{
    public void Pack(int row0, int rows, int k0, int kc, int mr, float* dst)
    {
        var rowLength = kw * cin;
        for (var i = 0; i < rows; i += mr)
        {
            var height = Math.Min(mr, rows - i);
            var panel = dst + (i * kc);
            for (var r = 0; r < mr; r++)
            {
                if (r >= height)
                {
                    for (var t = 0; t < kc; t++)
                    {
                        panel[(t * mr) + r] = 0f;
                    }

                    continue;
                }

                var m = row0 + i + r;
                var oy = m / outW;
                var ox = m - (oy * outW);
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
                    var inside = (uint)iy < (uint)inH && (uint)ix < (uint)inW;
                    // Whole in-bounds kernel rows are contiguous in HWC memory: copy them as one run.
                    var run = cin - ci;
                    if (inside && ci == 0)
                    {
                        var kxEnd = kx + 1;
                        while (kxEnd < kw && (uint)((ox * stride) - pad + kxEnd) < (uint)inW)
                        {
                            kxEnd++;
                        }

                        run = (kxEnd - kx) * cin;
                    }

                    run = Math.Min(run, end - k);
                    var d = panel + ((k - k0) * mr) + r;
                    if (inside)
                    {
                        var src = x + ((((long)iy * inW) + ix) * cin) + ci;
                        for (var t = 0; t < run; t++)
                        {
                            d[t * mr] = src[t];
                        }
                    }
                    else
                    {
                        for (var t = 0; t < run; t++)
                        {
                            d[t * mr] = 0f;
                        }
                    }

                    k += run;
                }
            }
        }
    }
}

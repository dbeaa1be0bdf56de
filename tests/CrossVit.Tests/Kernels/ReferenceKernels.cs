using Xunit;

namespace CrossVit.Tests.Kernels;

/// <summary>Double-precision references, written the obvious way.</summary>
internal static class ReferenceKernels
{
    /// <summary>y = x·Wᵀ + bias (+ y0); also Σ|x||w| (+|bias| + |y0|) per output, the scale of rounding error.</summary>
    public static (double[] Value, double[] Magnitude) Linear(float[] x, int rows, float[] w, int outF, int inF, float[]? bias, float[]? y0)
    {
        var value = new double[rows * outF];
        var magnitude = new double[rows * outF];
        for (var i = 0; i < rows; i++)
        {
            for (var o = 0; o < outF; o++)
            {
                double s = 0, m = 0;
                for (var k = 0; k < inF; k++)
                {
                    s += (double)x[(i * inF) + k] * w[(o * inF) + k];
                    m += Math.Abs((double)x[(i * inF) + k] * w[(o * inF) + k]);
                }

                if (bias is not null)
                {
                    s += bias[o];
                    m += Math.Abs(bias[o]);
                }

                if (y0 is not null)
                {
                    s += y0[(i * outF) + o];
                    m += Math.Abs(y0[(i * outF) + o]);
                }

                value[(i * outF) + o] = s;
                magnitude[(i * outF) + o] = m;
            }
        }

        return (value, magnitude);
    }

    /// <summary>Conv2d of an HWC image with a [cout, cin, kh, kw] weight, zero padding; output HWC.</summary>
    public static (double[] Value, double[] Magnitude) Conv2d(
        float[] x, int inH, int inW, int cin, float[] w, int cout, int kh, int kw, int stride, int pad, float[]? bias)
    {
        var outH = ((inH + (2 * pad) - kh) / stride) + 1;
        var outW = ((inW + (2 * pad) - kw) / stride) + 1;
        var value = new double[outH * outW * cout];
        var magnitude = new double[value.Length];
        for (var oy = 0; oy < outH; oy++)
        {
            for (var ox = 0; ox < outW; ox++)
            {
                for (var o = 0; o < cout; o++)
                {
                    double s = bias?[o] ?? 0, m = Math.Abs(bias?[o] ?? 0);
                    for (var c = 0; c < cin; c++)
                    {
                        for (var ky = 0; ky < kh; ky++)
                        {
                            for (var kx = 0; kx < kw; kx++)
                            {
                                var iy = (oy * stride) - pad + ky;
                                var ix = (ox * stride) - pad + kx;
                                if (iy < 0 || iy >= inH || ix < 0 || ix >= inW)
                                {
                                    continue;
                                }

                                var p = (double)x[(((iy * inW) + ix) * cin) + c] * w[(((((o * cin) + c) * kh) + ky) * kw) + kx];
                                s += p;
                                m += Math.Abs(p);
                            }
                        }
                    }

                    value[(((oy * outW) + ox) * cout) + o] = s;
                    magnitude[(((oy * outW) + ox) * cout) + o] = m;
                }
            }
        }

        return (value, magnitude);
    }

    public static double Gelu(double x) => 0.5 * x * (1 + Erf(x / Math.Sqrt(2)));

    /// <summary>erf by its Taylor series for |x| &lt; 3, else 1 − erfc with erfc by its continued fraction.</summary>
    public static double Erf(double x)
    {
        if (Math.Abs(x) < 3)
        {
            // erf x = 2/√π Σ (−1)ⁿ x^(2n+1) / (n! (2n+1))
            double sum = 0, term = x;
            for (var n = 0; n < 200; n++)
            {
                sum += term / ((2 * n) + 1);
                term *= -x * x / (n + 1);
                if (Math.Abs(term) < 1e-300)
                {
                    break;
                }
            }

            return 2 / Math.Sqrt(Math.PI) * sum;
        }

        return Math.Sign(x) * (1 - Erfc(Math.Abs(x)));
    }

    /// <summary>erfc for x ≥ 3: e^(−x²)/√π · 1/(x + (1/2)/(x + 1/(x + (3/2)/(x + …)))), evaluated bottom-up.</summary>
    private static double Erfc(double x)
    {
        double f = x;
        for (var n = 200; n >= 1; n--)
        {
            f = x + (n / 2.0 / f);
        }

        return Math.Exp(-x * x) / Math.Sqrt(Math.PI) / f;
    }

    public static double[] Softmax(ReadOnlySpan<float> row, double scale)
    {
        var max = double.NegativeInfinity;
        foreach (var v in row)
        {
            max = Math.Max(max, v * scale);
        }

        var e = new double[row.Length];
        double sum = 0;
        for (var i = 0; i < row.Length; i++)
        {
            e[i] = Math.Exp((row[i] * scale) - max);
            sum += e[i];
        }

        for (var i = 0; i < e.Length; i++)
        {
            e[i] /= sum;
        }

        return e;
    }

    public static double[] LayerNorm(float[] x, int rows, int dim, float[] gamma, float[] beta, double eps)
    {
        var y = new double[rows * dim];
        for (var r = 0; r < rows; r++)
        {
            double mean = 0, variance = 0;
            for (var i = 0; i < dim; i++)
            {
                mean += x[(r * dim) + i];
            }

            mean /= dim;
            for (var i = 0; i < dim; i++)
            {
                variance += (x[(r * dim) + i] - mean) * (x[(r * dim) + i] - mean);
            }

            variance /= dim;
            for (var i = 0; i < dim; i++)
            {
                y[(r * dim) + i] = ((x[(r * dim) + i] - mean) / Math.Sqrt(variance + eps) * gamma[i]) + beta[i];
            }
        }

        return y;
    }

    /// <summary>Attention of heads [h0, h0 + hc) with heads side by side in columns; output [tq, ldo] with other columns 0.</summary>
    public static double[] Attention(
        float[] q, int ldq, float[] k, int ldk, float[] v, int ldv, int tq, int tk, int headDim, double scale, int ldo, int h0, int hc)
    {
        var output = new double[tq * ldo];
        for (var h = h0; h < h0 + hc; h++)
        {
            var col = h * headDim;
            for (var i = 0; i < tq; i++)
            {
                var s = new double[tk];
                var max = double.NegativeInfinity;
                for (var j = 0; j < tk; j++)
                {
                    for (var d = 0; d < headDim; d++)
                    {
                        s[j] += (double)q[(i * ldq) + col + d] * k[(j * ldk) + col + d];
                    }

                    s[j] *= scale;
                    max = Math.Max(max, s[j]);
                }

                double sum = 0;
                for (var j = 0; j < tk; j++)
                {
                    s[j] = Math.Exp(s[j] - max);
                    sum += s[j];
                }

                for (var d = 0; d < headDim; d++)
                {
                    double o = 0;
                    for (var j = 0; j < tk; j++)
                    {
                        o += s[j] / sum * v[(j * ldv) + col + d];
                    }

                    output[(i * ldo) + col + d] = o;
                }
            }
        }

        return output;
    }

    /// <summary>torch interpolate(align_corners=False) along one axis: (index, weight) taps per output position.</summary>
    public static (int Index, double Weight)[][] ResizeTaps(int inSize, int outSize, bool bicubic)
    {
        var taps = new (int, double)[outSize][];
        // torch computes the source coordinate in the tensor's type (float) for float input; the rest is done in double.
        var scale = (float)inSize / outSize;
        for (var o = 0; o < outSize; o++)
        {
            double real = (scale * (o + 0.5f)) - 0.5f;
            if (!bicubic)
            {
                real = Math.Max(real, 0);
                var i0 = Math.Min((int)Math.Floor(real), inSize - 1);
                var t = Math.Clamp(real - i0, 0, 1);
                taps[o] = [(i0, 1 - t), (Math.Min(i0 + 1, inSize - 1), t)];
            }
            else
            {
                var i0 = (int)Math.Floor(real);
                var t = real - i0;
                const double A = -0.75;
                double Near(double d) => ((((A + 2) * d) - (A + 3)) * d * d) + 1;
                double Far(double d) => (A * d * d * d) - (5 * A * d * d) + (8 * A * d) - (4 * A);
                taps[o] =
                [
                    (Math.Clamp(i0 - 1, 0, inSize - 1), Far(t + 1)), (Math.Clamp(i0, 0, inSize - 1), Near(t)),
                    (Math.Clamp(i0 + 1, 0, inSize - 1), Near(1 - t)), (Math.Clamp(i0 + 2, 0, inSize - 1), Far(2 - t)),
                ];
            }
        }

        return taps;
    }

    public static double[] Resize(float[] src, int planes, int inH, int inW, int outH, int outW, bool bicubic)
    {
        var ty = ResizeTaps(inH, outH, bicubic);
        var tx = ResizeTaps(inW, outW, bicubic);
        var dst = new double[planes * outH * outW];
        for (var p = 0; p < planes; p++)
        {
            for (var oy = 0; oy < outH; oy++)
            {
                for (var ox = 0; ox < outW; ox++)
                {
                    double s = 0;
                    foreach (var (iy, wy) in ty[oy])
                    {
                        foreach (var (ix, wx) in tx[ox])
                        {
                            s += wy * wx * src[(p * inH * inW) + (iy * inW) + ix];
                        }
                    }

                    dst[(p * outH * outW) + (oy * outW) + ox] = s;
                }
            }
        }

        return dst;
    }
}

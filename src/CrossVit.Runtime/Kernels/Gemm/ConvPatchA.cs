using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace CrossVit.Runtime.Kernels.Gemm;

/// <summary>
/// Implicit im2col of a channels-last image: row m is output pixel (m / outW, m % outW), column k is
/// (ky, kx, ci) in that order, so the in-image part of each kernel row is one contiguous run of floats,
/// copied straight from the image into the block; the padding parts are zero runs. Rows start at output pixel
/// <c>firstPixel</c>, so threads can each compute a band of the output.
/// </summary>
internal readonly unsafe struct ConvPatchA(float* x, int inH, int inW, int cin, int kw, int stride, int pad, int outW, int firstPixel) : IASource
{
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public float* Block(int row0, int rows, int k0, int kc, float* workspace, out long lda)
    {
        lda = kc;
        var rowLength = kw * cin;
        var kEnd = k0 + kc;
        // When the slice holds whole kernel rows [kyFirst, kyEnd), a pixel whose window lies inside the image (most of
        // them) is just those runs, one image row apart, with no bounds to clip: the dagger stem's first convolution,
        // and tiny's and small's patch embedding of the small branch (two slices of 6 kernel rows).
        var kyFirst = k0 / rowLength;
        var kyEnd = kEnd / rowLength;
        var wholeRows = k0 == kyFirst * rowLength && kEnd == kyEnd * rowLength;
        var imageRow = (long)inW * cin;
        var oy = (firstPixel + row0) / outW;
        var ox = firstPixel + row0 - (oy * outW);
        for (var r = 0; r < rows; r++, ox++)
        {
            if (ox == outW)
            {
                ox = 0;
                oy++;
            }

            var dst = workspace + ((long)r * kc) - k0;
            var y0 = (oy * stride) - pad;
            var x0 = (ox * stride) - pad;
            if (wholeRows && x0 >= 0 && x0 + kw <= inW && y0 + kyFirst >= 0 && y0 + kyEnd <= inH)
            {
                var src = x + ((((long)(y0 + kyFirst) * inW) + x0) * cin);
                for (var start = k0; start < kEnd; start += rowLength, src += imageRow)
                {
                    CopyRun(src, dst + start, rowLength);
                }

                continue;
            }

            // Taps [lo, hi) of every kernel row fall inside the image horizontally.
            var lo = Math.Clamp(-x0, 0, kw);
            var hi = Math.Clamp(inW - x0, lo, kw);
            for (var ky = k0 / rowLength; ky * rowLength < kEnd; ky++)
            {
                var start = ky * rowLength;
                var iy = y0 + ky;
                if ((uint)iy >= (uint)inH)
                {
                    Zero(dst, start, start + rowLength, k0, kEnd);
                    continue;
                }

                var from = x + ((((long)iy * inW) + x0 + lo) * cin);
                if (lo == 0 && hi == kw && start >= k0 && start + rowLength <= kEnd)
                {
                    // A whole kernel row inside the image and the slice: one run, no bounds to clip.
                    CopyRun(from, dst + start, rowLength);
                    continue;
                }

                Zero(dst, start, start + (lo * cin), k0, kEnd);
                Copy(from, dst, start + (lo * cin), start + (hi * cin), k0, kEnd);
                Zero(dst, start + (hi * cin), start + rowLength, k0, kEnd);
            }
        }

        return workspace;
    }

    public bool CopiesBlocks => true;

    /// <summary>dst[k] = 0 for k in [from, to) ∩ [k0, kEnd).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Zero(float* dst, int from, int to, int k0, int kEnd)
    {
        for (var k = Math.Max(from, k0); k < Math.Min(to, kEnd); k++)
        {
            dst[k] = 0f;
        }
    }

    /// <summary>dst[k] = src[k − from] for k in [from, to) ∩ [k0, kEnd).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Copy(float* src, float* dst, int from, int to, int k0, int kEnd)
    {
        var k = Math.Max(from, k0);
        var end = Math.Min(to, kEnd);
        if (k < end)
        {
            CopyRun(src + k - from, dst + k, end - k);
        }
    }

    /// <summary>
    /// dst[0..n) = src[0..n), n ≥ 1. Runs are short (21 floats for the RGB stem), where an inline vector loop beats a
    /// memmove call: 8 floats at a time (4 for a run under 8), the ragged end as one more vector overlapping the last,
    /// so 21 floats are three copies; a run under 4 floats goes one by one.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void CopyRun(float* src, float* dst, int n)
    {
        if (n >= Vector256<float>.Count)
        {
            var last = n - Vector256<float>.Count;
            for (var k = 0; k < last; k += Vector256<float>.Count)
            {
                Vector256.Store(Vector256.Load(src + k), dst + k);
            }

            Vector256.Store(Vector256.Load(src + last), dst + last);
        }
        else if (n >= Vector128<float>.Count)
        {
            Vector128.Store(Vector128.Load(src), dst);
            Vector128.Store(Vector128.Load(src + n - Vector128<float>.Count), dst + n - Vector128<float>.Count);
        }
        else
        {
            for (var k = 0; k < n; k++)
            {
                dst[k] = src[k];
            }
        }
    }
}

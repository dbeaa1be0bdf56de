using System.Runtime.CompilerServices;
using CrossVit.Runtime.Kernels.Simd;

namespace CrossVit.Runtime.Kernels;

/// <summary>
/// torch <c>interpolate(align_corners=False, antialias=False)</c>, separable: per output row, the source rows are
/// blended vertically into one row (vectorized), then each output column blends its taps from that row.
/// Taps are computed in float like torch's CPU kernel.
/// </summary>
internal static unsafe class Resize<TSimd, TVec>
    where TSimd : ISimd<TVec>
    where TVec : struct
{
    public static int Taps(ResizeMode mode) => mode == ResizeMode.Bicubic ? 4 : 2;

    /// <summary>Floats of workspace <see cref="Run"/> needs.</summary>
    public static long WorkspaceSize(int inW, int outH, int outW, ResizeMode mode) => inW + (2L * (outH + outW) * Taps(mode));

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Run(float* src, int planes, int inH, int inW, float* dst, int outH, int outW, ResizeMode mode, float* workspace)
    {
        var taps = Taps(mode);
        var row = workspace;
        var yIndex = (int*)(row + inW);
        var yWeight = (float*)(yIndex + (outH * taps));
        var xIndex = (int*)(yWeight + (outH * taps));
        var xWeight = (float*)(xIndex + (outW * taps));
        ComputeTaps(inH, outH, mode, yIndex, yWeight);
        ComputeTaps(inW, outW, mode, xIndex, xWeight);
        for (var plane = 0; plane < planes; plane++)
        {
            var s = src + ((long)plane * inH * inW);
            var d = dst + ((long)plane * outH * outW);
            for (var oy = 0; oy < outH; oy++)
            {
                BlendRows<TSimd, TVec>(s, inW, yIndex + (oy * taps), yWeight + (oy * taps), taps, row, 0);
                BlendRows<ScalarSimd, float>(s, inW, yIndex + (oy * taps), yWeight + (oy * taps), taps, row, inW / TSimd.Count * TSimd.Count);
                var drow = d + ((long)oy * outW);
                for (var ox = 0; ox < outW; ox++)
                {
                    var index = xIndex + (ox * taps);
                    var weight = xWeight + (ox * taps);
                    var value = 0f;
                    for (var t = 0; t < taps; t++)
                    {
                        value += row[index[t]] * weight[t];
                    }

                    drow[ox] = value;
                }
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void BlendRows<TS, TV>(float* src, int inW, int* index, float* weight, int taps, float* row, int start)
        where TS : ISimd<TV>
        where TV : struct
    {
        for (var x = start; x <= inW - TS.Count; x += TS.Count)
        {
            var acc = TS.Multiply(TS.Load(src + ((long)index[0] * inW) + x), TS.Create(weight[0]));
            for (var t = 1; t < taps; t++)
            {
                acc = TS.MultiplyAdd(TS.Load(src + ((long)index[t] * inW) + x), TS.Create(weight[t]), acc);
            }

            TS.Store(acc, row + x);
        }
    }

    /// <summary>Source indices (clamped to the input) and weights of every output position along one axis.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void ComputeTaps(int inSize, int outSize, ResizeMode mode, int* index, float* weight)
    {
        var scale = (float)inSize / outSize;
        for (var o = 0; o < outSize; o++)
        {
            // Half-pixel centres; bilinear clamps the coordinate at 0, bicubic does not (torch).
            var real = (scale * (o + 0.5f)) - 0.5f;
            if (mode == ResizeMode.Bilinear)
            {
                real = MathF.Max(real, 0f);
            }

            var i0 = Math.Min((int)MathF.Floor(real), inSize - 1);
            var t = Math.Clamp(real - i0, 0f, 1f);
            var idx = index + (o * Taps(mode));
            var w = weight + (o * Taps(mode));
            if (mode == ResizeMode.Bilinear)
            {
                idx[0] = i0;
                idx[1] = Math.Min(i0 + 1, inSize - 1);
                w[0] = 1f - t;
                w[1] = t;
            }
            else
            {
                const float A = -0.75f;
                w[0] = CubicFar(t + 1f, A);
                w[1] = CubicNear(t, A);
                w[2] = CubicNear(1f - t, A);
                w[3] = CubicFar(2f - t, A);
                for (var j = 0; j < 4; j++)
                {
                    idx[j] = Math.Clamp(i0 - 1 + j, 0, inSize - 1);
                }
            }
        }
    }

    /// <summary>Cubic convolution weight for |d| ≤ 1.</summary>
    private static float CubicNear(float d, float a) => ((((a + 2f) * d) - (a + 3f)) * d * d) + 1f;

    /// <summary>Cubic convolution weight for 1 &lt; |d| &lt; 2.</summary>
    private static float CubicFar(float d, float a) => ((((a * d) - (5f * a)) * d) + (8f * a)) * d - (4f * a);
}

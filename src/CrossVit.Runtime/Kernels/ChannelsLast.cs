using System.Runtime.CompilerServices;
using CrossVit.Runtime.Kernels.Simd;

namespace CrossVit.Runtime.Kernels;

/// <summary>
/// dst [size, size, channels] = src [channels, srcH, srcW] from row <c>top</c>, column <c>left</c>: an image made
/// channels-last (and cropped) for the patch embedding. Each vector of a dst row is gathered from the planes; the
/// offsets of a period of <c>channels</c> vectors repeat along the row, moved on by one vector's worth of pixels.
/// </summary>
internal static unsafe class ChannelsLast<TSimd, TVec>
    where TSimd : ISimd<TVec>
    where TVec : struct
{
    /// <summary>Most channels the gathered path takes (its offsets live on the stack); more go element by element.</summary>
    private const int MaxGatheredChannels = 16;

    /// <summary>dst rows [firstRow, firstRow + rows).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Run(float* src, int channels, int srcH, int srcW, int top, int left, int size, float* dst, int firstRow, int rows)
    {
        long plane = (long)srcH * srcW;
        int width = size * channels, period = channels * TSimd.Count;
        bool gathered = channels <= MaxGatheredChannels && channels * plane <= int.MaxValue;
        int count = gathered ? period : 0;
        int* offsets = stackalloc int[count];
        for (var i = 0; i < count; i++)
        {
            offsets[i] = (int)((i % channels * plane) + (i / channels));
        }

        for (var y = firstRow; y < firstRow + rows; y++)
        {
            var from = src + ((top + y) * (long)srcW) + left;
            var to = dst + ((long)y * width);
            var i = 0;
            for (; gathered && i <= width - period; i += period)
            {
                var pixels = from + (i / channels);
                for (var v = 0; v < period; v += TSimd.Count)
                {
                    TSimd.Store(TSimd.Gather(pixels, offsets + v), to + i + v);
                }
            }

            for (; i < width; i++)
            {
                to[i] = from[(i % channels * plane) + (i / channels)];
            }
        }
    }
}

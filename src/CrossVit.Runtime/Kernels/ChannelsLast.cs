using System.Runtime.CompilerServices;
using CrossVit.Runtime.Kernels.Simd;
using CrossVit.Runtime.Profiling;

namespace CrossVit.Runtime.Kernels;

/// <summary>
/// dst [size, size, channels] = src [channels, srcH, srcW] from row <c>top</c>, column <c>left</c>: an image made
/// channels-last (and cropped) for the patch embedding, a period of <c>channels</c> vectors (one vector of pixels) at a
/// time. With 8 or 16 lanes and up to <see cref="MaxPermutedChannels"/> channels (RGB), the period's pixels are loaded
/// once from each plane and every vector of the period is permuted together from those; otherwise each vector is
/// gathered from the planes (on the 128-bit paths four lane loads cost less than the two shuffles a permute takes).
/// </summary>
internal static unsafe class ChannelsLast<TSimd, TVec>
    where TSimd : ISimd<TVec>
    where TVec : struct
{
    /// <summary>Most channels the permuted path takes: channels − 1 permutes per vector, each with its own indices.</summary>
    private const int MaxPermutedChannels = 4;

    /// <summary>Most channels the gathered path takes (its offsets live on the stack); more go element by element.</summary>
    private const int MaxGatheredChannels = 16;

    /// <summary>dst rows [firstRow, firstRow + rows).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Run(float* src, int channels, int srcH, int srcW, int top, int left, int size, float* dst, int firstRow, int rows)
    {
        long plane = (long)srcH * srcW;
        int width = size * channels, period = channels * TSimd.Count;
        bool permuted = TSimd.Count >= 8 && channels <= MaxPermutedChannels;
        bool gathered = !permuted && channels <= MaxGatheredChannels && channels * plane <= int.MaxValue;
        // Lane l of the period's vector v holds element v·Count + l: pixel (v·Count + l) / channels of the period, from
        // plane (v·Count + l) % channels. Vector v is the planes' vectors permuted in turn: the permute with plane c ≥ 1
        // takes channel c's lanes from it and keeps the others (plane 0's, for c = 1, from plane 0).
        int* indices = stackalloc int[permuted ? period * (channels - 1) : 0];
        for (var v = 0; permuted && v < channels; v++)
        {
            for (var c = 1; c < channels; c++)
            {
                for (var l = 0; l < TSimd.Count; l++)
                {
                    int element = (v * TSimd.Count) + l, channel = element % channels, pixel = element / channels;
                    indices[(((v * (channels - 1)) + c - 1) * TSimd.Count) + l] = channel == c ? TSimd.Count + pixel : c == 1 ? pixel : l;
                }
            }
        }

        int* offsets = stackalloc int[gathered ? period : 0];
        for (var i = 0; gathered && i < period; i++)
        {
            offsets[i] = (int)((i % channels * plane) + (i / channels));
        }

        for (var y = firstRow; y < firstRow + rows; y++)
        {
            var from = src + ((top + y) * (long)srcW) + left;
            var to = dst + ((long)y * width);
            var i = 0;
            for (; permuted && i <= width - period; i += period)
            {
                var pixels = from + (i / channels);
                for (var v = 0; v < channels; v++)
                {
                    var vector = TSimd.Load(pixels);
                    for (var c = 1; c < channels; c++)
                    {
                        vector = TSimd.Permute(vector, TSimd.Load(pixels + (c * plane)), indices + (((v * (channels - 1)) + c - 1) * TSimd.Count));
                    }

                    TSimd.Store(vector, to + i + (v * TSimd.Count));
                }
            }

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

/// <summary>The channels-last copy's checked entry.</summary>
public sealed unsafe partial class KernelSet
{
    /// <summary>
    /// dst [size, size, channels] = src [channels, srcH, srcW] from row <paramref name="top"/>, column
    /// <paramref name="left"/>: an image made channels-last (and cropped) for the patch embedding. Only dst rows
    /// [<paramref name="firstRow"/>, <paramref name="firstRow"/> + <paramref name="rows"/>) are written, so threads can
    /// split the copy into bands.
    /// </summary>
    internal void ChannelsLast(ReadOnlySpan<float> src, int channels, int srcH, int srcW, int top, int left, int size, Span<float> dst, int firstRow, int rows)
    {
        CheckChannelsLast(src, channels, srcH, srcW, top, left, size, dst);
        Require(firstRow >= 0 && rows >= 0 && firstRow + (long)rows <= size, $"rows [{firstRow}, {firstRow + (long)rows}) lie outside [0, {size}).");
        fixed (float* ps = src)
        fixed (float* pd = dst)
        {
            _impl.ChannelsLast(ps, channels, srcH, srcW, top, left, size, pd, firstRow, rows);
        }
    }

    /// <summary>Throws unless a size × size window at (top, left) of src fits, and dst holds it channels-last.</summary>
    internal static void CheckChannelsLast(ReadOnlySpan<float> src, int channels, int srcH, int srcW, int top, int left, int size, Span<float> dst)
    {
        Require(channels > 0 && size >= 0, "ChannelsLast needs channels > 0 and size ≥ 0.");
        Require(top >= 0 && left >= 0 && top + size <= srcH && left + size <= srcW && src.Length >= (long)channels * srcH * srcW,
            $"A {size}×{size} window at ({top}, {left}) does not fit {channels} planes of {srcH}×{srcW} floats ({src.Length} given).");
        Require(dst.Length >= (long)size * size * channels, $"dst has {dst.Length} floats, expected {size}×{size}×{channels}.");
    }
}

internal abstract unsafe partial class KernelImpl
{
    /// <summary>Rows [firstRow, firstRow + rows) of an image made channels-last and cropped (see <c>KernelSet.ChannelsLast</c>).</summary>
    public abstract void ChannelsLast(float* src, int channels, int srcH, int srcW, int top, int left, int size, float* dst, int firstRow, int rows);
}

internal sealed unsafe partial class KernelImpl<TSimd, TVec>
{
    public override void ChannelsLast(float* src, int channels, int srcH, int srcW, int top, int left, int size, float* dst, int firstRow, int rows) =>
        ChannelsLast<TSimd, TVec>.Run(src, channels, srcH, srcW, top, left, size, dst, firstRow, rows);
}

internal sealed unsafe partial class ParallelKernels
{
    private readonly Job<ChannelsLastWork> _channelsLast = new();

    /// <summary>
    /// dst [size, size, channels] = src [channels, srcH, srcW] at rows top.., columns left..: one image made
    /// channels-last (and cropped) for the patch embedding, split into bands of output rows.
    /// </summary>
    public void ChannelsLast(ReadOnlySpan<float> src, int channels, int srcH, int srcW, int top, int left, int size, Span<float> dst, OpSite? site = null)
    {
        if (Planning) return;
        long start = _recorder is null ? 0 : OpRecorder.Now();
        KernelSet.CheckChannelsLast(src, channels, srcH, srcW, top, left, size, dst);
        fixed (float* ps = src) fixed (float* pd = dst)
        {
            Run(_channelsLast, new ChannelsLastWork(_impl, ps, channels, srcH, srcW, top, left, size, pd));
        }
        _recorder?.Stop(site, start, _team.Threads, split: true, 0, 2L * sizeof(float) * channels * size * size);
    }

    private readonly struct ChannelsLastWork(KernelImpl impl, float* src, int channels, int srcH, int srcW, int top, int left, int size, float* dst) : IWork
    {
        public void Execute(int worker, int workers)
        {
            var (start, end) = Share(size, 1, worker, workers);
            if (start < end) impl.ChannelsLast(src, channels, srcH, srcW, top, left, size, dst, start, end - start);
        }
    }
}

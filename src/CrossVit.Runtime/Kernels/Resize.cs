using System.Runtime.CompilerServices;
using CrossVit.Runtime.Kernels.Simd;
using CrossVit.Runtime.Profiling;

namespace CrossVit.Runtime.Kernels;

/// <summary>
/// torch <c>interpolate(align_corners=False, antialias=False)</c>, separable: per output row, the source rows are
/// blended vertically into one row, then the output columns blend their taps from that row, a vector of columns at
/// a time with gathered taps. Both passes are vectorized. When a vector of columns' first taps lie within two vectors
/// of the row (any scale below about 2), each tap is a permute of two loaded vectors instead of a gather. The row is stored with its edge values repeated
/// <see cref="Pad"/> times on each side, so every output's taps are consecutive (torch clamps each tap's index,
/// which is the same thing). Taps are computed in float like torch's CPU kernel.
/// </summary>
internal static unsafe class Resize<TSimd, TVec>
    where TSimd : ISimd<TVec>
    where TVec : struct
{
    /// <summary>Edge copies on each side of the blended row: bicubic taps reach two pixels past either edge.</summary>
    private const int Pad = 2;

    /// <summary>Weights stored per output position (bilinear leaves the last two unused).</summary>
    private const int MaxTaps = 4;

    public static int Taps(ResizeMode mode) => mode == ResizeMode.Bicubic ? 4 : 2;

    /// <summary>
    /// Floats of workspace <see cref="Run"/> needs: the padded row (and two vectors past it, which the permuted taps
    /// load but do not use), a first tap and weights per output row and column, and each column's taps relative to
    /// its vector's.
    /// </summary>
    public static long WorkspaceSize(int inW, int outH, int outW) => RowLength(inW) + ((1L + MaxTaps) * (outH + outW)) + outW;

    private static int RowLength(int inW) => inW + (2 * Pad) + (2 * TSimd.Count);

    /// <summary>Output rows [firstRow, firstRow + rows) of the planes stacked, planes · outH rows in all.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Run(float* src, int inH, int inW, float* dst, int outH, int outW, ResizeMode mode, float* workspace, int firstRow, int rows)
    {
        var taps = Taps(mode);
        var padded = workspace;
        var yFirst = (int*)(padded + RowLength(inW));
        var yWeight = (float*)(yFirst + outH);
        var xFirst = (int*)(yWeight + (outH * MaxTaps));
        var xWeight = (float*)(xFirst + outW);
        var xNear = (int*)(xWeight + (outW * MaxTaps));
        // Row weights per output row (one row's taps together); column weights per tap (a vector of columns together).
        ComputeTaps(inH, outH, mode, yFirst, yWeight, MaxTaps, 1);
        ComputeTaps(inW, outW, mode, xFirst, xWeight, 1, outW);
        var near = true;
        for (var ox = 0; ox < outW; ox++)
        {
            xNear[ox] = xFirst[ox] - xFirst[ox / TSimd.Count * TSimd.Count];
            near &= xNear[ox] < 2 * TSimd.Count;
        }
        var row = padded + Pad;
        for (var r = firstRow; r < firstRow + rows; r++)
        {
            int plane = r / outH, oy = r % outH;
            var s = src + ((long)plane * inH * inW);
            BlendRows<TSimd, TVec>(s, inH, inW, yFirst[oy], yWeight + (oy * MaxTaps), taps, row, 0);
            BlendRows<ScalarSimd, float>(s, inH, inW, yFirst[oy], yWeight + (oy * MaxTaps), taps, row, inW / TSimd.Count * TSimd.Count);
            for (var p = 1; p <= Pad; p++)
            {
                row[-p] = row[0];
                row[inW - 1 + p] = row[inW - 1];
            }

            var drow = dst + ((long)r * outW);
            BlendColumns<TSimd, TVec>(row, xFirst, near ? xNear : null, xWeight, outW, taps, drow, 0);
            BlendColumns<ScalarSimd, float>(row, xFirst, null, xWeight, outW, taps, drow, outW / TSimd.Count * TSimd.Count);
        }
    }

    /// <summary>
    /// drow[ox] = Σ_t weight[t · outW + ox] · row[first[ox] + t] for ox in [start, outW). With <paramref name="near"/>
    /// (first taps relative to their vector's, all below two vectors), tap t is a permute of the two vectors at the
    /// vector's first tap + t; without, a gather.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void BlendColumns<TS, TV>(float* row, int* first, int* near, float* weight, int outW, int taps, float* drow, int start)
        where TS : ISimd<TV>
        where TV : struct
    {
        for (var ox = start; ox <= outW - TS.Count; ox += TS.Count)
        {
            var acc = TS.Multiply(Tap<TS, TV>(row, first, near, ox, 0), TS.Load(weight + ox));
            for (var t = 1; t < taps; t++)
            {
                acc = TS.MultiplyAdd(Tap<TS, TV>(row, first, near, ox, t), TS.Load(weight + (t * outW) + ox), acc);
            }

            TS.Store(acc, drow + ox);
        }
    }

    /// <summary>Tap t of the columns [ox, ox + Count): row[first[ox + i] + t] in lane i.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static TV Tap<TS, TV>(float* row, int* first, int* near, int ox, int t)
        where TS : ISimd<TV>
        where TV : struct => near != null ? TS.GatherNear(row + first[ox] + t, near + ox) : TS.Gather(row + t, first + ox);

    /// <summary>row[start..inW) = Σ_t weight[t] · src row (first + t, clamped to the image).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void BlendRows<TS, TV>(float* src, int inH, int inW, int first, float* weight, int taps, float* row, int start)
        where TS : ISimd<TV>
        where TV : struct
    {
        var s0 = src + ((long)Math.Clamp(first, 0, inH - 1) * inW);
        for (var x = start; x <= inW - TS.Count; x += TS.Count)
        {
            var acc = TS.Multiply(TS.Load(s0 + x), TS.Create(weight[0]));
            for (var t = 1; t < taps; t++)
            {
                acc = TS.MultiplyAdd(TS.Load(src + ((long)Math.Clamp(first + t, 0, inH - 1) * inW) + x), TS.Create(weight[t]), acc);
            }

            TS.Store(acc, row + x);
        }
    }

    /// <summary>
    /// First source index (before clamping; at least −<see cref="Pad"/>) and tap weights of every output position
    /// along one axis: output o's tap t weighs weight[o · positionStride + t · tapStride].
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void ComputeTaps(int inSize, int outSize, ResizeMode mode, int* first, float* weight, int positionStride, int tapStride)
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
            var w = weight + (o * positionStride);
            if (mode == ResizeMode.Bilinear)
            {
                first[o] = i0;
                w[0] = 1f - t;
                w[tapStride] = t;
            }
            else
            {
                const float A = -0.75f;
                first[o] = i0 - 1;
                w[0] = CubicFar(t + 1f, A);
                w[tapStride] = CubicNear(t, A);
                w[2 * tapStride] = CubicNear(1f - t, A);
                w[3 * tapStride] = CubicFar(2f - t, A);
            }
        }
    }

    /// <summary>Cubic convolution weight for |d| ≤ 1.</summary>
    private static float CubicNear(float d, float a) => ((((a + 2f) * d) - (a + 3f)) * d * d) + 1f;

    /// <summary>Cubic convolution weight for 1 &lt; |d| &lt; 2.</summary>
    private static float CubicFar(float d, float a) => ((((a * d) - (5f * a)) * d) + (8f * a)) * d - (4f * a);
}

/// <summary>Resize's checked entries.</summary>
public sealed unsafe partial class KernelSet
{
    /// <summary>
    /// Resizes each of <paramref name="planes"/> [inH, inW] planes to [outH, outW] like torch
    /// <c>interpolate(mode, align_corners=False, antialias=False)</c>: half-pixel centres, bicubic A = −0.75,
    /// source indices clamped at the borders.
    /// </summary>
    public void Resize(ReadOnlySpan<float> src, int planes, int inH, int inW, Span<float> dst, int outH, int outW, ResizeMode mode)
    {
        var size = ResizeWorkspaceSize(inW, outH, outW);
        Resize(src, planes, inH, inW, dst, outH, outW, mode, new Span<float>(ThreadScratch.Get(size), size), 0, planes * outH);
    }

    /// <summary>Floats of workspace the internal <c>Resize</c> overload needs.</summary>
    internal int ResizeWorkspaceSize(int inW, int outH, int outW) => checked((int)_impl.ResizeWorkspaceSize(inW, outH, outW));

    /// <summary>
    /// Output rows [<paramref name="firstRow"/>, <paramref name="firstRow"/> + <paramref name="rows"/>) of the planes
    /// stacked (planes · outH rows in all), with caller-owned workspace (an engine arena) of <see cref="ResizeWorkspaceSize"/>
    /// floats: threads split a resize into bands of rows, each computed as it would be whole.
    /// </summary>
    internal void Resize(ReadOnlySpan<float> src, int planes, int inH, int inW, Span<float> dst, int outH, int outW, ResizeMode mode, Span<float> workspace, int firstRow, int rows)
    {
        CheckResize(src, planes, inH, inW, dst, outH, outW);
        Require(firstRow >= 0 && rows >= 0 && firstRow + (long)rows <= (long)planes * outH, $"rows [{firstRow}, {firstRow + (long)rows}) lie outside the {planes}×{outH} output rows.");
        Require(workspace.Length >= ResizeWorkspaceSize(inW, outH, outW), $"workspace needs {ResizeWorkspaceSize(inW, outH, outW)} floats.");
        fixed (float* ps = src)
        fixed (float* pd = dst)
        fixed (float* pw = workspace)
        {
            _impl.Resize(ps, inH, inW, pd, outH, outW, mode, pw, firstRow, rows);
        }
    }

    /// <summary>Throws unless src holds planes × inH × inW floats and dst planes × outH × outW.</summary>
    internal static void CheckResize(ReadOnlySpan<float> src, int planes, int inH, int inW, Span<float> dst, int outH, int outW)
    {
        Require(planes >= 0 && inH > 0 && inW > 0 && outH > 0 && outW > 0, "Resize needs positive sizes.");
        Require(src.Length >= (long)planes * inH * inW, "src is too short.");
        Require(dst.Length >= (long)planes * outH * outW, "dst is too short.");
    }
}

internal abstract unsafe partial class KernelImpl
{
    /// <summary>Floats of workspace <see cref="Resize"/> needs.</summary>
    public abstract long ResizeWorkspaceSize(int inW, int outH, int outW);

    /// <summary>Output rows [firstRow, firstRow + rows) of the planes stacked (planes · outH rows in all).</summary>
    public abstract void Resize(float* src, int inH, int inW, float* dst, int outH, int outW, ResizeMode mode, float* workspace, int firstRow, int rows);
}

internal sealed unsafe partial class KernelImpl<TSimd, TVec>
{
    public override long ResizeWorkspaceSize(int inW, int outH, int outW) => Resize<TSimd, TVec>.WorkspaceSize(inW, outH, outW);

    public override void Resize(float* src, int inH, int inW, float* dst, int outH, int outW, ResizeMode mode, float* workspace, int firstRow, int rows) =>
        Resize<TSimd, TVec>.Run(src, inH, inW, dst, outH, outW, mode, workspace, firstRow, rows);
}

internal sealed unsafe partial class ParallelKernels
{
    private readonly Job<ResizeWork> _resize = new();

    /// <summary>One image's planes resized, split into bands of output rows.</summary>
    public void Resize(ReadOnlySpan<float> src, int planes, int inH, int inW, Span<float> dst, int outH, int outW, ResizeMode mode, OpSite? site = null)
    {
        int scratchSize = _kernels.ResizeWorkspaceSize(inW, outH, outW), mark = _workspace.Mark();
        var scratch = _workspace.Take(_team.Threads * scratchSize);
        if (!Planning)
        {
            long start = _recorder is null ? 0 : OpRecorder.Now();
            KernelSet.CheckResize(src, planes, inH, inW, dst, outH, outW);
            fixed (float* ps = src) fixed (float* pd = dst) fixed (float* pw = scratch)
            {
                Run(_resize, new ResizeWork(_impl, ps, planes, inH, inW, pd, outH, outW, mode, pw, scratchSize));
            }
            _recorder?.Stop(site, start, _team.Threads, split: true, 0, (long)sizeof(float) * planes * (inH * inW + outH * outW));
        }
        _workspace.Release(mark);
    }

    private readonly struct ResizeWork(KernelImpl impl, float* src, int planes, int inH, int inW, float* dst,
        int outH, int outW, ResizeMode mode, float* scratch, int scratchSize) : IWork
    {
        public void Execute(int worker, int workers)
        {
            var (start, end) = Share(planes * outH, 1, worker, workers);
            if (start < end) impl.Resize(src, inH, inW, dst, outH, outW, mode, scratch + (long)worker * scratchSize, start, end - start);
        }
    }
}

using System.Runtime.CompilerServices;
using CrossVit.Runtime.Kernels.Simd;
using CrossVit.Runtime.Profiling;

namespace CrossVit.Runtime.Kernels;

/// <summary>
/// torch <c>interpolate(align_corners=False, antialias=False)</c>, separable: per output row, the source rows are
/// blended vertically into one row, then the output columns blend their taps from that row, a vector of columns at
/// a time. The tap count is a JIT-time constant (<see cref="TwoTaps"/>, <see cref="FourTaps"/>), so both blends unroll.
/// With 8 or 16 lanes, when a vector of columns' taps all lie within two vectors of the row (any scale below about 2),
/// the two are loaded once and each tap is a permute of them (<see cref="ISimd{TVec}.Permute"/>); otherwise taps are
/// gathered. The row is stored with its edge values repeated <see cref="Pad"/> times on each side, so every output's
/// taps are consecutive (torch clamps each tap's index, which is the same thing). Taps are computed in float like
/// torch's CPU kernel.
/// </summary>
internal static unsafe class Resize<TSimd, TVec>
    where TSimd : ISimd<TVec>
    where TVec : struct
{
    /// <summary>Edge copies on each side of the blended row: bicubic taps reach two pixels past either edge.</summary>
    private const int Pad = 2;

    /// <summary>Weights stored per output position (bilinear leaves the last two unused).</summary>
    private const int MaxTaps = 4;

    /// <summary>
    /// Output rows blended before their columns are: the column taps' unaligned loads then read rows whose stores
    /// have left the store buffer. Row by row, each load spanned two stores still in it, which cannot be forwarded,
    /// and waited (<c>quick</c>'s 3 × 240² → 224² ran about a fifth slower).
    /// </summary>
    private const int Chunk = 8;

    /// <summary>
    /// Floats of workspace <see cref="Run"/> needs: <see cref="Chunk"/> padded rows (each with two vectors past it,
    /// which the permuted taps load but do not use), a first tap and weights per output row and column, and each
    /// column's taps relative to its vector's first.
    /// </summary>
    public static long WorkspaceSize(int inW, int outH, int outW) =>
        ((long)Chunk * RowLength(inW)) + ((1L + MaxTaps) * (outH + outW)) + ((long)MaxTaps * outW);

    private static int RowLength(int inW) => inW + (2 * Pad) + (2 * TSimd.Count);

    /// <summary>Output rows [firstRow, firstRow + rows) of the planes stacked, planes · outH rows in all.</summary>
    public static void Run(float* src, int inH, int inW, float* dst, int outH, int outW, ResizeMode mode, float* workspace, int firstRow, int rows)
    {
        if (mode == ResizeMode.Bicubic)
        {
            Run<FourTaps>(src, inH, inW, dst, outH, outW, mode, workspace, firstRow, rows);
        }
        else
        {
            Run<TwoTaps>(src, inH, inW, dst, outH, outW, mode, workspace, firstRow, rows);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Run<TTaps>(float* src, int inH, int inW, float* dst, int outH, int outW, ResizeMode mode, float* workspace, int firstRow, int rows)
        where TTaps : ITapCount
    {
        var padded = workspace;
        var rowLength = RowLength(inW);
        var yFirst = (int*)(padded + ((long)Chunk * rowLength));
        var yWeight = (float*)(yFirst + outH);
        var xFirst = (int*)(yWeight + (outH * MaxTaps));
        var xWeight = (float*)(xFirst + outW);
        var xNear = (int*)(xWeight + (outW * MaxTaps));
        // Row weights per output row (one row's taps together); column weights per tap (a vector of columns together).
        ComputeTaps(inH, outH, mode, yFirst, yWeight, MaxTaps, 1);
        ComputeTaps(inW, outW, mode, xFirst, xWeight, 1, outW);
        // Lanes are permuted, not gathered, with 8 or 16 of them (on the 128-bit paths lane loads cost less than shuffles):
        // tap t of column ox is lane xNear[t·outW + ox] of the two vectors at its vector's first tap.
        var near = TSimd.Count >= 8;
        for (var ox = 0; ox < outW; ox++)
        {
            for (var t = 0; t < TTaps.Count; t++)
            {
                xNear[(t * outW) + ox] = xFirst[ox] + t - xFirst[ox / TSimd.Count * TSimd.Count];
                near &= xNear[(t * outW) + ox] < 2 * TSimd.Count;
            }
        }

        for (var r0 = firstRow; r0 < firstRow + rows; r0 += Chunk)
        {
            var count = Math.Min(Chunk, firstRow + rows - r0);
            for (var i = 0; i < count; i++)
            {
                int plane = (r0 + i) / outH, oy = (r0 + i) % outH;
                var s = src + ((long)plane * inH * inW);
                var row = padded + (i * rowLength) + Pad;
                BlendRows<TSimd, TVec, TTaps>(s, inH, inW, yFirst[oy], yWeight + (oy * MaxTaps), row, 0);
                BlendRows<ScalarSimd, float, TTaps>(s, inH, inW, yFirst[oy], yWeight + (oy * MaxTaps), row, inW / TSimd.Count * TSimd.Count);
                for (var p = 1; p <= Pad; p++)
                {
                    row[-p] = row[0];
                    row[inW - 1 + p] = row[inW - 1];
                }
            }

            for (var i = 0; i < count; i++)
            {
                var row = padded + (i * rowLength) + Pad;
                var drow = dst + ((long)(r0 + i) * outW);
                if (near)
                {
                    PermuteColumns<TTaps>(row, xFirst, xNear, xWeight, outW, drow);
                }
                else
                {
                    GatherColumns<TSimd, TVec, TTaps>(row, xFirst, xWeight, outW, drow, 0);
                }

                GatherColumns<ScalarSimd, float, TTaps>(row, xFirst, xWeight, outW, drow, outW / TSimd.Count * TSimd.Count);
            }
        }
    }

    /// <summary>drow[ox] = Σ_t weight[t · outW + ox] · row[first[ox] + t] for the whole vectors of columns, tap t permuted by near[t · outW + ox].</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void PermuteColumns<TTaps>(float* row, int* first, int* near, float* weight, int outW, float* drow)
        where TTaps : ITapCount
    {
        for (var ox = 0; ox <= outW - TSimd.Count; ox += TSimd.Count)
        {
            var at = row + first[ox];
            TVec low = TSimd.Load(at), high = TSimd.Load(at + TSimd.Count);
            var acc = TSimd.Multiply(TSimd.Permute(low, high, near + ox), TSimd.Load(weight + ox));
            acc = TSimd.MultiplyAdd(TSimd.Permute(low, high, near + outW + ox), TSimd.Load(weight + outW + ox), acc);
            if (TTaps.Count == FourTaps.Count)
            {
                acc = TSimd.MultiplyAdd(TSimd.Permute(low, high, near + (2 * outW) + ox), TSimd.Load(weight + (2 * outW) + ox), acc);
                acc = TSimd.MultiplyAdd(TSimd.Permute(low, high, near + (3 * outW) + ox), TSimd.Load(weight + (3 * outW) + ox), acc);
            }

            TSimd.Store(acc, drow + ox);
        }
    }

    /// <summary>drow[ox] = Σ_t weight[t · outW + ox] · row[first[ox] + t] for ox in [start, outW), taps gathered.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void GatherColumns<TS, TV, TTaps>(float* row, int* first, float* weight, int outW, float* drow, int start)
        where TS : ISimd<TV>
        where TV : struct
        where TTaps : ITapCount
    {
        for (var ox = start; ox <= outW - TS.Count; ox += TS.Count)
        {
            var acc = TS.Multiply(TS.Gather(row, first + ox), TS.Load(weight + ox));
            for (var t = 1; t < TTaps.Count; t++)
            {
                acc = TS.MultiplyAdd(TS.Gather(row + t, first + ox), TS.Load(weight + (t * outW) + ox), acc);
            }

            TS.Store(acc, drow + ox);
        }
    }

    /// <summary>row[start..inW) = Σ_t weight[t] · src row (first + t, clamped to the image).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void BlendRows<TS, TV, TTaps>(float* src, int inH, int inW, int first, float* weight, float* row, int start)
        where TS : ISimd<TV>
        where TV : struct
        where TTaps : ITapCount
    {
        float* s0 = SourceRow(src, inH, inW, first), s1 = SourceRow(src, inH, inW, first + 1);
        TV w0 = TS.Create(weight[0]), w1 = TS.Create(weight[1]);
        // Bilinear stores two weights per row: the third and fourth tap exist only for bicubic.
        var four = TTaps.Count == FourTaps.Count;
        float* s2 = four ? SourceRow(src, inH, inW, first + 2) : s0, s3 = four ? SourceRow(src, inH, inW, first + 3) : s0;
        TV w2 = four ? TS.Create(weight[2]) : w0, w3 = four ? TS.Create(weight[3]) : w0;
        for (var x = start; x <= inW - TS.Count; x += TS.Count)
        {
            var acc = TS.MultiplyAdd(TS.Load(s1 + x), w1, TS.Multiply(TS.Load(s0 + x), w0));
            if (four)
            {
                acc = TS.MultiplyAdd(TS.Load(s3 + x), w3, TS.MultiplyAdd(TS.Load(s2 + x), w2, acc));
            }

            TS.Store(acc, row + x);
        }
    }

    /// <summary>Source row <paramref name="y"/>, clamped to the image.</summary>
    /// <remarks>Inlined: as a call it made the JIT keep <see cref="BlendRows"/>'s weights and rows on the stack.</remarks>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static float* SourceRow(float* src, int inH, int inW, int y) => src + ((long)Math.Clamp(y, 0, inH - 1) * inW);

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

/// <summary>Taps per output position of a resize, as a JIT-time constant.</summary>
internal interface ITapCount
{
    static abstract int Count { get; }
}

/// <summary>Bilinear: two taps.</summary>
internal readonly struct TwoTaps : ITapCount
{
    public static int Count => 2;
}

/// <summary>Bicubic: four taps.</summary>
internal readonly struct FourTaps : ITapCount
{
    public static int Count => 4;
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
        // Checked before the workspace is sized from them.
        CheckResize(src, planes, inH, inW, dst, outH, outW);
        var size = ResizeWorkspaceSize(inW, outH, outW);
        RunResize(src, inH, inW, dst, outH, outW, mode, new Span<float>(ThreadScratch.Get(size), size), 0, planes * outH);
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
        RunResize(src, inH, inW, dst, outH, outW, mode, workspace, firstRow, rows);
    }

    /// <summary>Output rows [firstRow, firstRow + rows) of arguments <see cref="CheckResize"/> has passed, once the workspace is big enough.</summary>
    private void RunResize(ReadOnlySpan<float> src, int inH, int inW, Span<float> dst, int outH, int outW, ResizeMode mode, Span<float> workspace, int firstRow, int rows)
    {
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
        Require(planes >= 0 && inH > 0 && inW > 0 && outH > 0 && outW > 0, $"Resize needs planes ≥ 0 and positive sizes; got {planes} planes of {inH}×{inW} to {outH}×{outW}.");
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

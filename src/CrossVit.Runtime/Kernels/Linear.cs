using CrossVit.Runtime.Kernels.Gemm;
using CrossVit.Runtime.Profiling;

namespace CrossVit.Runtime.Kernels;

/// <summary>The nn.Linear operation: its checked entry, the GEMM call of each ISA, and its split across workers.</summary>
public sealed unsafe partial class KernelSet
{
    /// <summary>
    /// y[rows, out] = epilogue(x[rows, in] · Wᵀ + bias); with <see cref="Epilogue.Accumulate"/>, y += x · Wᵀ + bias.
    /// </summary>
    /// <param name="x">Row-contiguous input [rows, weight.Cols].</param>
    /// <param name="rows">Number of input rows (tokens).</param>
    /// <param name="weight">Weight packed by this kernel set.</param>
    /// <param name="bias">weight.Rows floats, or empty for no bias.</param>
    /// <param name="y">Row-contiguous output [rows, weight.Rows]; must not overlap x.</param>
    /// <param name="epilogue">Operation fused into the store.</param>
    public void Linear(ReadOnlySpan<float> x, int rows, PackedMatrix weight, ReadOnlySpan<float> bias, Span<float> y, Epilogue epilogue = Epilogue.None) =>
        Linear(x, rows, weight, bias, y, epilogue, 0, weight?.Rows ?? 0);

    /// <summary>
    /// Output columns [<paramref name="firstColumn"/>, <paramref name="firstColumn"/> + <paramref name="columns"/>) of
    /// <see cref="Linear(ReadOnlySpan{float}, int, PackedMatrix, ReadOnlySpan{float}, Span{float}, Epilogue)"/>: threads split
    /// a GEMM into bands of whole weight panels. Every element is computed by the same instructions whatever the band.
    /// </summary>
    internal void Linear(ReadOnlySpan<float> x, int rows, PackedMatrix weight, ReadOnlySpan<float> bias, Span<float> y, Epilogue epilogue, int firstColumn, int columns)
    {
        CheckLinear(x, rows, weight, bias, y, firstColumn, columns);
        fixed (float* px = x)
        fixed (float* pb = bias)
        fixed (float* py = y)
        {
            _impl.Linear(px, rows, weight.Cols, weight.Pointer, weight.Rows, bias.IsEmpty ? null : pb, py, epilogue, firstColumn, columns);
        }

        // The packed data is reachable only through weight; keep it alive while the kernel reads it by pointer.
        GC.KeepAlive(weight);
    }

    /// <summary>Throws unless two groups' weights (<c>ParallelKernels.LinearGroups</c>) have one shape.</summary>
    internal void CheckLinearGroups(PackedMatrix weight0, PackedMatrix weight1)
    {
        CheckWeight(weight0);
        CheckWeight(weight1);
        Require(weight1.Rows == weight0.Rows && weight1.Cols == weight0.Cols && weight1.PanelWidth == weight0.PanelWidth,
            $"Both groups' weights must have one shape; got {weight0.Rows}×{weight0.Cols} and {weight1.Rows}×{weight1.Cols}.");
    }

    /// <summary>Throws unless the arguments describe columns [firstColumn, firstColumn + columns) of a Linear on this kernel set.</summary>
    internal void CheckLinear(ReadOnlySpan<float> x, int rows, PackedMatrix weight, ReadOnlySpan<float> bias, Span<float> y, int firstColumn, int columns)
    {
        CheckWeight(weight);
        Require(rows >= 0, "rows must be non-negative.");
        Require(x.Length >= (long)rows * weight.Cols, $"x has {x.Length} floats, expected {rows}×{weight.Cols}.");
        Require(y.Length >= (long)rows * weight.Rows, $"y has {y.Length} floats, expected {rows}×{weight.Rows}.");
        Require(firstColumn >= 0 && columns >= 0 && firstColumn + columns <= weight.Rows && firstColumn % weight.PanelWidth == 0,
            $"Columns [{firstColumn}, {firstColumn + columns}) must lie in [0, {weight.Rows}) and start on a panel boundary ({weight.PanelWidth}).");
        CheckBias(bias, weight.Rows);
    }
}

/// <content>Linear.</content>
internal abstract unsafe partial class KernelImpl
{
    /// <summary>Output columns [firstColumn, firstColumn + columns) of y[rows, outFeatures]; firstColumn is a multiple of <see cref="PanelWidth"/>.</summary>
    public abstract void Linear(float* x, int rows, int inFeatures, float* packedW, int outFeatures, float* bias, float* y, Epilogue epilogue, int firstColumn, int columns);
}

/// <content>Linear.</content>
internal sealed unsafe partial class KernelImpl<TSimd, TVec>
{
    public override void Linear(float* x, int rows, int inFeatures, float* packedW, int outFeatures, float* bias, float* y, Epilogue epilogue, int firstColumn, int columns) =>
        GemmDriver<TSimd, TVec>.Run(
            new RowMajorA(x, inFeatures), rows, columns, inFeatures, packedW + ((long)firstColumn * inFeatures), bias == null ? null : bias + firstColumn,
            y + firstColumn, outFeatures, epilogue == Epilogue.Accumulate, ActivationOf(epilogue), null);
}

/// <content>Linear, split by bands of half row tiles, or by weight panels when the rows are few, the weights large or, at batch 1, the panels even.</content>
internal sealed unsafe partial class ParallelKernels
{
    /// <summary>Multiply-adds below which a GEMM is not worth waking the workers for (about a microsecond of work).</summary>
    private const long MinMacsToSplit = 1 << 16;

    private readonly Job<LinearWork> _linear = new();

    public void Linear(ReadOnlySpan<float> x, int rows, PackedMatrix weight, ReadOnlySpan<float> bias, Span<float> y, Epilogue epilogue = Epilogue.None,
        OpSite? site = null)
    {
        if (Planning) return;
        long start = _recorder is null ? 0 : OpRecorder.Now();
        long macs = (long)rows * weight.Rows * weight.Cols;
        if (RunsOnCaller(macs))
        {
            _kernels.Linear(x, rows, weight, bias, y, epilogue);
            _recorder?.Stop(site, start, _team.Threads, split: false, macs);
            return;
        }
        _kernels.CheckLinear(x, rows, weight, bias, y, 0, weight.Rows);
        fixed (float* px = x) fixed (float* pb = bias) fixed (float* py = y)
        {
            Run(_linear, new LinearWork(_impl, px, rows, weight.Cols, weight.Pointer, weight.Rows, weight.PanelWidth, bias.IsEmpty ? null : pb, py, epilogue,
                SplitsByPanels(rows, weight.Rows * (long)weight.Cols, _impl.RowTile, _impl.BlockRows, _team.Threads)
                || SharesPanelsEvenly(rows, weight.Rows, weight.PanelWidth, _impl.BlockRows, _team.Threads)));
        }
        GC.KeepAlive(weight);
        _recorder?.Stop(site, start, _team.Threads, split: true, macs);
    }

    private readonly Job<LinearGroupsWork> _linearGroups = new();

    /// <summary>
    /// Two groups' GEMMs as one operation: group g computes y_g[rows, weight_g.Rows] = epilogue_g(x_g · W_gᵀ + b_g). The
    /// weights have one shape. Work items are (group, weight panel), shared out in order, so on two workers each
    /// computes its own group, reading and writing only that group's buffers (<c>Model.Layers.LinearGroups</c> says why).
    /// </summary>
    public void LinearGroups(ReadOnlySpan<float> x0, ReadOnlySpan<float> x1, int rows, PackedMatrix weight0, PackedMatrix weight1,
        ReadOnlySpan<float> bias0, ReadOnlySpan<float> bias1, Span<float> y0, Span<float> y1, Epilogue epilogue0, Epilogue epilogue1, OpSite? site = null)
    {
        if (Planning) return;
        long start = _recorder is null ? 0 : OpRecorder.Now();
        _kernels.CheckLinearGroups(weight0, weight1);
        long macs = 2L * rows * weight0.Rows * weight0.Cols;
        if (RunsOnCaller(macs))
        {
            _kernels.Linear(x0, rows, weight0, bias0, y0, epilogue0);
            _kernels.Linear(x1, rows, weight1, bias1, y1, epilogue1);
            _recorder?.Stop(site, start, _team.Threads, split: false, macs);
            return;
        }
        _kernels.CheckLinear(x0, rows, weight0, bias0, y0, 0, weight0.Rows);
        _kernels.CheckLinear(x1, rows, weight1, bias1, y1, 0, weight1.Rows);
        fixed (float* px0 = x0) fixed (float* px1 = x1) fixed (float* pb0 = bias0) fixed (float* pb1 = bias1) fixed (float* py0 = y0) fixed (float* py1 = y1)
        {
            Run(_linearGroups, new LinearGroupsWork(_impl,
                new(px0, weight0.Pointer, bias0.IsEmpty ? null : pb0, py0, epilogue0), new(px1, weight1.Pointer, bias1.IsEmpty ? null : pb1, py1, epilogue1),
                rows, weight0.Cols, weight0.Rows, weight0.PanelWidth));
        }
        GC.KeepAlive(weight0);
        GC.KeepAlive(weight1);
        _recorder?.Stop(site, start, _team.Threads, split: true, macs);
    }

    /// <summary>
    /// residual[rows, out] += (x0 · W0ᵀ + bias) + x1 · W1ᵀ: the two groups of a layer cut by input features (proj, fc2).
    /// Group 0's GEMM adds its product and the bias into the residual, group 1's writes its product to
    /// <paramref name="partial"/>, and a row-split addition (<see cref="AddInPlace"/>) joins it, so on two workers each
    /// group writes only a buffer of its own. When one worker computes both GEMMs and group 1's sums its whole K in
    /// registers (one K slice), that GEMM adds its product into the residual itself: the same single rounding of the same
    /// two numbers, without the product written aside and read back. On one thread that took proj 2–7% off against the
    /// other kinds of the same runs, a few tenths of a percent of a pass (performance-history.md, "This round
    /// (2026-12-07, morning)").
    /// </summary>
    public void AddLinearGroups(ReadOnlySpan<float> x0, ReadOnlySpan<float> x1, int rows, PackedMatrix weight0, PackedMatrix weight1, ReadOnlySpan<float> bias,
        Span<float> residual, Span<float> partial, OpSite? site = null)
    {
        long macs = 2L * rows * weight0.Rows * weight0.Cols;
        if (!Planning && RunsOnCaller(macs) && weight1.Cols <= _impl.SliceDepth)
        {
            long start = _recorder is null ? 0 : OpRecorder.Now();
            _kernels.CheckLinearGroups(weight0, weight1);
            _kernels.Linear(x0, rows, weight0, bias, residual, Epilogue.Accumulate);
            _kernels.Linear(x1, rows, weight1, [], residual, Epilogue.Accumulate);
            _recorder?.Stop(site, start, _team.Threads, split: false, macs);
            return;
        }
        LinearGroups(x0, x1, rows, weight0, weight1, bias, [], residual, partial, Epilogue.Accumulate, Epilogue.None, site);
        AddInPlace(residual, partial, rows, weight0.Rows, site);
    }

    /// <summary>Whether GEMMs of <paramref name="multiplyAdds"/> in all run on the calling worker alone: a team of one, or too little to split.</summary>
    private bool RunsOnCaller(long multiplyAdds) => _team.Threads == 1 || IsTooSmallToSplit(multiplyAdds);

    /// <summary>
    /// Whether a GEMM of <paramref name="multiplyAdds"/> runs on one worker while the others wait, nobody woken; the
    /// branch cost model prices it so.
    /// </summary>
    internal static bool IsTooSmallToSplit(long multiplyAdds) => multiplyAdds < MinMacsToSplit;

    /// <summary>Weights above which a GEMM is split by weight panels: more than a core's L2 (1 MB of floats).</summary>
    internal const long MaxRowSplitWeights = 1 << 18;

    /// <summary>
    /// Whether a GEMM of <paramref name="rows"/> rows and <paramref name="weights"/> weights is split by weight panels
    /// rather than by bands of rows: when there are too few row tiles to go round (a batch's CLS rows, the heads), or
    /// when the weights are more than a core's L2 holds and each worker's band would be at most one M block of
    /// <paramref name="blockRows"/> (batch 1). Every worker of such a row split streams all the weights, cold from
    /// memory on every pass, where a panel split streams each once: that took crossvit_base_240 on two threads 5%
    /// faster and crossvit_small_240 4% (performance-history.md, "This round (2026-12-04, evening)"). With several M blocks per
    /// worker (a batch), every block streams the weights again either way, and row bands keep the rows a worker reads in
    /// its own cache (crossvit_small_240 at batch 8 ran 3% slower split by panels). The branch cost model takes this rule;
    /// <see cref="SharesPanelsEvenly"/> adds one that it does not, and <see cref="ConvSplitsByPanels"/> applies it to convolutions.
    /// </summary>
    internal static bool SplitsByPanels(long rows, long weights, int rowTile, int blockRows, int workers) =>
        (rows + rowTile - 1) / rowTile < workers || (weights > MaxRowSplitWeights && rows <= (long)blockRows * workers);

    /// <summary>
    /// Whether a GEMM of smaller weights is split by weight panels as well: at batch 1 (each worker's band at most one M
    /// block), when its <paramref name="columns"/> make panels of <paramref name="panelWidth"/> that divide evenly among the
    /// workers. Each weight is then streamed once instead of by every worker: on two threads crossvit_9_dagger_240 and
    /// crossvit_tiny_240 ran 1.7–1.8% faster, crossvit_small_240 0.6%, crossvit_18_dagger_240 and crossvit_base_240 the
    /// same (performance-history.md, "This round (2026-12-05, day)"); panels that share out unevenly (9 on 2 workers) did not
    /// gain. The branch cost model keeps the row split's estimate for these: what they gain (cache traffic) is outside its
    /// terms, and with it equal branches came out a tie that ran them one after the other, where concurrently measured
    /// faster ("This round (2026-12-05)").
    /// </summary>
    internal static bool SharesPanelsEvenly(long rows, int columns, int panelWidth, int blockRows, int workers)
    {
        int panels = (columns + panelWidth - 1) / panelWidth;
        return rows <= (long)blockRows * workers && panels % workers == 0;
    }

    private readonly struct LinearWork(KernelImpl impl, float* x, int rows, int inFeatures, float* packedW, int outFeatures, int panelWidth, float* bias, float* y,
        Epilogue epilogue, bool splitColumns) : IWork
    {
        public void Execute(int worker, int workers)
        {
            if (splitColumns)
            {
                var (first, last) = Share(outFeatures, panelWidth, worker, workers);
                if (first < last) impl.Linear(x, rows, inFeatures, packedW, outFeatures, bias, y, epilogue, first, last - first);
                return;
            }
            var (start, end) = Share(rows, impl.RowGranule, worker, workers);
            if (start == end) return;
            impl.Linear(x + (long)start * inFeatures, end - start, inFeatures, packedW, outFeatures, bias, y + (long)start * outFeatures, epilogue, 0, outFeatures);
        }
    }

    /// <summary>One group's operands: its input, packed weights, bias (or null), output and epilogue.</summary>
    private readonly struct GroupOperands(float* x, float* packedW, float* bias, float* y, Epilogue epilogue)
    {
        public float* X => x;
        public float* PackedW => packedW;
        public float* Bias => bias;
        public float* Y => y;
        public Epilogue Epilogue => epilogue;
    }

    private readonly struct LinearGroupsWork(KernelImpl impl, GroupOperands group0, GroupOperands group1, int rows, int inFeatures, int outFeatures, int panelWidth) : IWork
    {
        public void Execute(int worker, int workers)
        {
            // Items are (group, panel), group 0's panels first; a worker's share covers one or both groups' bands.
            int panels = (outFeatures + panelWidth - 1) / panelWidth;
            var (start, end) = Share(2 * panels, 1, worker, workers);
            Band(group0, Math.Min(start, panels), Math.Min(end, panels));
            Band(group1, Math.Max(start, panels) - panels, Math.Max(end, panels) - panels);
        }

        private void Band(GroupOperands g, int firstPanel, int endPanel)
        {
            if (firstPanel >= endPanel) return;
            int first = firstPanel * panelWidth, last = Math.Min(outFeatures, endPanel * panelWidth);
            impl.Linear(g.X, rows, inFeatures, g.PackedW, outFeatures, g.Bias, g.Y, g.Epilogue, first, last - first);
        }
    }
}

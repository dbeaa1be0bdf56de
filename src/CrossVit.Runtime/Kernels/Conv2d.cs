using CrossVit.Runtime.Kernels.Gemm;
using CrossVit.Runtime.Profiling;

namespace CrossVit.Runtime.Kernels;

/// <summary>The channels-last convolution (the patch embedding's): its checked entry, the implicit-GEMM call of each ISA, and its split across workers.</summary>
public sealed unsafe partial class KernelSet
{
    /// <summary>
    /// Channels-last 2-D convolution with zero padding: x [inH, inW, cin] → y [outH, outW, cout],
    /// outH = (inH + 2·pad − kernelH) / stride + 1 (likewise outW).
    /// </summary>
    /// <param name="x">Input image, HWC.</param>
    /// <param name="inH">Input height.</param>
    /// <param name="inW">Input width.</param>
    /// <param name="weight">Weight packed by <see cref="PackConv"/> of this kernel set.</param>
    /// <param name="stride">Stride in both axes.</param>
    /// <param name="pad">Zero padding on every side.</param>
    /// <param name="bias">cout floats, or empty for no bias.</param>
    /// <param name="y">Output, HWC.</param>
    /// <param name="epilogue">Operation fused into the store (<see cref="Epilogue.Relu"/> for the stem).</param>
    public void Conv2d(ReadOnlySpan<float> x, int inH, int inW, PackedMatrix weight, int stride, int pad, ReadOnlySpan<float> bias, Span<float> y, Epilogue epilogue = Epilogue.None)
    {
        var (outH, outW) = ConvOutputSize(inH, inW, weight.KernelH, weight.KernelW, stride, pad);
        Conv2d(x, inH, inW, weight, stride, pad, bias, y, epilogue, 0, outH * outW, new Span<float>(ThreadScratch.Get(ConvWorkspaceSize), ConvWorkspaceSize));
    }

    /// <summary>Floats of workspace the internal <c>Conv2d</c> overload needs (one im2col block).</summary>
    internal int ConvWorkspaceSize => checked((int)_impl.ConvWorkspaceSize);

    /// <summary>
    /// Output pixels [<paramref name="firstPixel"/>, <paramref name="firstPixel"/> + <paramref name="pixels"/>) (row-major over
    /// outH × outW) of <see cref="Conv2d(ReadOnlySpan{float}, int, int, PackedMatrix, int, int, ReadOnlySpan{float}, Span{float}, Epilogue)"/>,
    /// written to their place in the whole output <paramref name="y"/>: threads split one image's convolution into bands.
    /// Every pixel is computed by the same instructions whatever the band. <paramref name="workspace"/>: caller-owned
    /// (an engine arena), <see cref="ConvWorkspaceSize"/> floats.
    /// </summary>
    internal void Conv2d(ReadOnlySpan<float> x, int inH, int inW, PackedMatrix weight, int stride, int pad, ReadOnlySpan<float> bias, Span<float> y, Epilogue epilogue,
        int firstPixel, int pixels, Span<float> workspace)
    {
        var (_, outW) = CheckConv2d(x, inH, inW, weight, stride, pad, bias, y, firstPixel, pixels);
        Require(workspace.Length >= ConvWorkspaceSize, $"workspace needs {ConvWorkspaceSize} floats.");
        fixed (float* px = x)
        fixed (float* pb = bias)
        fixed (float* py = y)
        fixed (float* pw = workspace)
        {
            _impl.Conv2d(px, inH, inW, weight, stride, pad, outW, firstPixel, pixels, 0, weight.Rows, bias.IsEmpty ? null : pb, py, epilogue, pw);
        }

        GC.KeepAlive(weight);
    }

    /// <summary>Throws unless the arguments describe output pixels [firstPixel, firstPixel + pixels) of a Conv2d on this kernel set; returns the output size.</summary>
    internal (int OutH, int OutW) CheckConv2d(ReadOnlySpan<float> x, int inH, int inW, PackedMatrix weight, int stride, int pad, ReadOnlySpan<float> bias, Span<float> y,
        int firstPixel, int pixels)
    {
        CheckWeight(weight);
        var (outH, outW) = ConvOutputSize(inH, inW, weight.KernelH, weight.KernelW, stride, pad);
        Require(x.Length >= (long)inH * inW * weight.InChannels, $"x has {x.Length} floats, expected {inH}×{inW}×{weight.InChannels}.");
        Require(y.Length >= (long)outH * outW * weight.Rows, $"y has {y.Length} floats, expected {outH}×{outW}×{weight.Rows}.");
        Require(firstPixel >= 0 && pixels >= 0 && firstPixel + (long)pixels <= (long)outH * outW, $"pixels [{firstPixel}, {firstPixel + (long)pixels}) lie outside the {outH}×{outW} output.");
        CheckBias(bias, weight.Rows);
        return (outH, outW);
    }

    /// <summary>Output size of <c>Conv2d</c>: (in + 2·pad − kernel) / stride + 1 per axis.</summary>
    public static (int OutH, int OutW) ConvOutputSize(int inH, int inW, int kernelH, int kernelW, int stride, int pad)
    {
        Require(stride > 0 && pad >= 0 && kernelH > 0 && kernelW > 0, "Conv needs stride > 0, pad ≥ 0, kernel > 0.");
        Require(inH + (2 * pad) >= kernelH && inW + (2 * pad) >= kernelW, $"Input {inH}×{inW} (pad {pad}) is smaller than the kernel {kernelH}×{kernelW}.");
        return (((inH + (2 * pad) - kernelH) / stride) + 1, ((inW + (2 * pad) - kernelW) / stride) + 1);
    }
}

internal abstract unsafe partial class KernelImpl
{
    /// <summary>Floats of workspace <see cref="Conv2d"/> needs.</summary>
    public abstract long ConvWorkspaceSize { get; }

    /// <summary>
    /// Output pixels [firstPixel, firstPixel + pixels) and channels [firstColumn, firstColumn + columns) of the convolution;
    /// firstColumn is a multiple of <see cref="PanelWidth"/>; y is the whole output.
    /// </summary>
    public abstract void Conv2d(float* x, int inH, int inW, PackedMatrix weight, int stride, int pad, int outW, int firstPixel, int pixels, int firstColumn, int columns,
        float* bias, float* y, Epilogue epilogue, float* workspace);
}

internal sealed unsafe partial class KernelImpl<TSimd, TVec>
{
    public override long ConvWorkspaceSize => GemmDriver<TSimd, TVec>.WorkspaceSize;

    public override void Conv2d(float* x, int inH, int inW, PackedMatrix weight, int stride, int pad, int outW, int firstPixel, int pixels, int firstColumn, int columns,
        float* bias, float* y, Epilogue epilogue, float* workspace) =>
        GemmDriver<TSimd, TVec>.Run(
            new ConvPatchA(x, inH, inW, weight.InChannels, weight.KernelW, stride, pad, outW, firstPixel), pixels, columns, weight.Cols,
            weight.Pointer + ((long)firstColumn * weight.Cols), bias == null ? null : bias + firstColumn, y + ((long)firstPixel * weight.Rows) + firstColumn, weight.Rows,
            epilogue == Epilogue.Accumulate, ActivationOf(epilogue), workspace);
}

internal sealed unsafe partial class ParallelKernels
{
    private readonly Job<ConvWork> _conv = new();

    /// <summary>
    /// One image's convolution, split into bands of output pixels, or by weight panels when the weights outgrow a core's
    /// L2 (<see cref="ConvSplitsByPanels"/>); each worker builds its im2col blocks in the arena.
    /// </summary>
    public void Conv2d(ReadOnlySpan<float> x, int inH, int inW, PackedMatrix weight, int stride, int pad, ReadOnlySpan<float> bias, Span<float> y, Epilogue epilogue,
        OpSite? site = null)
    {
        int scratchSize = _kernels.ConvWorkspaceSize, mark = _workspace.Mark();
        var scratch = _workspace.Take(_team.Threads * scratchSize);
        if (!Planning)
        {
            long start = _recorder is null ? 0 : OpRecorder.Now();
            var (outH, outW) = KernelSet.ConvOutputSize(inH, inW, weight.KernelH, weight.KernelW, stride, pad);
            _kernels.CheckConv2d(x, inH, inW, weight, stride, pad, bias, y, 0, outH * outW);
            fixed (float* px = x) fixed (float* pb = bias) fixed (float* py = y) fixed (float* ps = scratch)
            {
                Run(_conv, new ConvWork(_impl, px, inH, inW, weight, stride, pad, outW, bias.IsEmpty ? null : pb, py, epilogue, outH * outW, ps, scratchSize,
                    ConvSplitsByPanels(outH * outW, weight.Rows, weight.Cols, weight.PanelWidth, _impl.RowTile, _impl.BlockRows, _team.Threads)));
            }
            GC.KeepAlive(weight);
            _recorder?.Stop(site, start, _team.Threads, split: true, (long)outH * outW * weight.Rows * weight.Cols);
        }
        _workspace.Release(mark);
    }

    /// <summary>
    /// Whether one image's convolution of <paramref name="pixels"/> output pixels, <paramref name="columns"/> output
    /// channels and <paramref name="depth"/> taps each is split by weight panels: by <see cref="SplitsByPanels"/>'s rule,
    /// when every worker gets a panel at least. Each worker then builds the im2col of every pixel, and streams only its
    /// share of the weights: on two threads such a convolution (the large branch's last stem convolution, its patch
    /// embedding in crossvit_small_240 and crossvit_base_240) ran in 0.82–0.90 of its row split's time
    /// (performance-history.md, "This round (2026-12-06, late afternoon)"). With fewer panels than workers, row bands
    /// keep every worker busy.
    /// </summary>
    internal static bool ConvSplitsByPanels(int pixels, int columns, int depth, int panelWidth, int rowTile, int blockRows, int workers) =>
        SplitsByPanels(pixels, (long)columns * depth, rowTile, blockRows, workers) && (columns + panelWidth - 1) / panelWidth >= workers;

    private readonly struct ConvWork(KernelImpl impl, float* x, int inH, int inW, PackedMatrix weight, int stride, int pad, int outW,
        float* bias, float* y, Epilogue epilogue, int pixels, float* scratch, int scratchSize, bool splitColumns) : IWork
    {
        public void Execute(int worker, int workers)
        {
            var workspace = scratch + ((long)worker * scratchSize);
            if (splitColumns)
            {
                var (first, last) = Share(weight.Rows, weight.PanelWidth, worker, workers);
                if (first < last) impl.Conv2d(x, inH, inW, weight, stride, pad, outW, 0, pixels, first, last - first, bias, y, epilogue, workspace);
                return;
            }
            var (start, end) = Share(pixels, impl.RowGranule, worker, workers);
            if (start == end) return;
            impl.Conv2d(x, inH, inW, weight, stride, pad, outW, start, end - start, 0, weight.Rows, bias, y, epilogue, workspace);
        }
    }
}

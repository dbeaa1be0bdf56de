using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using CrossVit.Runtime.Kernels.Gemm;
using CrossVit.Runtime.Kernels.Simd;
using CrossVit.Weights;

namespace CrossVit.Runtime.Kernels;

/// <summary>
/// The compute kernels of one <see cref="Kernels.Isa"/>. Dispatch is decided once, in <see cref="Create"/>.
/// Instances are immutable and safe for concurrent calls; per-call workspace is per thread.
/// </summary>
public sealed unsafe class KernelSet
{
    private readonly KernelImpl impl;

    private KernelSet(Isa isa, KernelImpl impl)
    {
        Isa = isa;
        this.impl = impl;
    }

    /// <summary>The ISA these kernels run on.</summary>
    public Isa Isa { get; }

    /// <summary>Rows the GEMM computes together (the micro-kernel's tile): bands of rows cost whole tiles.</summary>
    internal int RowTile => impl.RowTile;

    /// <summary>Kernels for <paramref name="isa"/>.</summary>
    /// <exception cref="InvalidOperationException">This CPU does not support <paramref name="isa"/>.</exception>
    public static KernelSet Create(Isa isa)
    {
        if (!IsaSupport.IsSupported(isa))
        {
            throw new InvalidOperationException($"ISA '{isa}' is not supported by this CPU (best supported: {IsaSupport.Best}).");
        }

        KernelImpl impl = isa switch
        {
            Isa.Scalar => new KernelImpl<ScalarSimd, float>(),
            Isa.V128 => new KernelImpl<Simd128, Vector128<float>>(),
            Isa.Avx2 => new KernelImpl<Simd256, Vector256<float>>(),
            Isa.Avx512 => new KernelImpl<Simd512, Vector512<float>>(),
            Isa.Neon => new KernelImpl<SimdNeon, Vector128<float>>(),
            _ => throw new ArgumentOutOfRangeException(nameof(isa), isa, "Unknown ISA."),
        };
        return new KernelSet(isa, impl);
    }

    /// <summary>Packs an nn.Linear weight, row-major [outFeatures, inFeatures].</summary>
    public PackedMatrix PackLinear(ReadOnlySpan<float> weight, int outFeatures, int inFeatures)
    {
        Require(outFeatures > 0 && inFeatures > 0, "Linear weight dimensions must be positive.");
        Require(weight.Length == (long)outFeatures * inFeatures, $"Linear weight has {weight.Length} floats, expected {outFeatures}×{inFeatures}.");
        return Pack(MemoryMarshal.AsBytes(weight), DType.F32, outFeatures, inFeatures, 1, 1, threads: 1);
    }

    /// <summary>
    /// Packs an nn.Linear weight [outFeatures, inFeatures] straight from its stored elements (a checkpoint's bytes,
    /// memory-mapped), converting F16, BF16 or F64 panel by panel, with the panels spread over <paramref name="threads"/>
    /// threads: no float32 copy of the whole tensor is made.
    /// </summary>
    public PackedMatrix PackLinear(ReadOnlySpan<byte> stored, DType dtype, int outFeatures, int inFeatures, int threads)
    {
        Require(outFeatures > 0 && inFeatures > 0, "Linear weight dimensions must be positive.");
        Require(DTypes.IsFloatingPoint(dtype), $"Linear weight has dtype {dtype}; expected F32, F16, BF16 or F64.");
        Require(stored.Length == (long)outFeatures * inFeatures * DTypes.SizeOf(dtype),
            $"Linear weight has {stored.Length} bytes, expected {outFeatures}×{inFeatures} elements of {dtype}.");
        Require(threads >= 1, $"threads is {threads}; expected at least 1.");
        return Pack(stored, dtype, outFeatures, inFeatures, 1, 1, threads);
    }

    /// <summary>Packs a Conv2d weight, [outChannels, inChannels, kernelH, kernelW], for channels-last <c>Conv2d</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public PackedMatrix PackConv(ReadOnlySpan<float> weight, int outChannels, int inChannels, int kernelH, int kernelW)
    {
        Require(outChannels > 0 && inChannels > 0 && kernelH > 0 && kernelW > 0, "Conv weight dimensions must be positive.");
        var k = inChannels * kernelH * kernelW;
        Require(weight.Length == (long)outChannels * k, $"Conv weight has {weight.Length} floats, expected {outChannels}×{inChannels}×{kernelH}×{kernelW}.");
        // Reorder K to (ky, kx, ci) so it matches the contiguous runs of a channels-last image.
        var reordered = new float[weight.Length];
        for (var o = 0; o < outChannels; o++)
        {
            for (var ci = 0; ci < inChannels; ci++)
            {
                for (var ky = 0; ky < kernelH; ky++)
                {
                    for (var kx = 0; kx < kernelW; kx++)
                    {
                        reordered[(o * k) + (((ky * kernelW) + kx) * inChannels) + ci] = weight[(o * k) + (((ci * kernelH) + ky) * kernelW) + kx];
                    }
                }
            }
        }

        return Pack(MemoryMarshal.AsBytes(reordered.AsSpan()), DType.F32, outChannels, k, kernelH, kernelW, threads: 1);
    }

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
        CheckWeight(weight);
        Require(rows >= 0, "rows must be non-negative.");
        Require(x.Length >= (long)rows * weight.Cols, $"x has {x.Length} floats, expected {rows}×{weight.Cols}.");
        Require(y.Length >= (long)rows * weight.Rows, $"y has {y.Length} floats, expected {rows}×{weight.Rows}.");
        Require(firstColumn >= 0 && columns >= 0 && firstColumn + columns <= weight.Rows && firstColumn % weight.PanelWidth == 0,
            $"Columns [{firstColumn}, {firstColumn + columns}) must lie in [0, {weight.Rows}) and start on a panel boundary ({weight.PanelWidth}).");
        CheckBias(bias, weight.Rows);
        fixed (float* px = x)
        fixed (float* pb = bias)
        fixed (float* py = y)
        {
            impl.Linear(px, rows, weight.Cols, weight.Pointer, weight.Rows, bias.IsEmpty ? null : pb, py, epilogue, firstColumn, columns);
        }

        // The packed data is reachable only through weight; keep it alive while the kernel reads it by pointer.
        GC.KeepAlive(weight);
    }

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
    internal int ConvWorkspaceSize => checked((int)impl.ConvWorkspaceSize);

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
        CheckWeight(weight);
        var (outH, outW) = ConvOutputSize(inH, inW, weight.KernelH, weight.KernelW, stride, pad);
        Require(x.Length >= (long)inH * inW * weight.InChannels, $"x has {x.Length} floats, expected {inH}×{inW}×{weight.InChannels}.");
        Require(y.Length >= (long)outH * outW * weight.Rows, $"y has {y.Length} floats, expected {outH}×{outW}×{weight.Rows}.");
        Require(firstPixel >= 0 && pixels >= 0 && firstPixel + (long)pixels <= (long)outH * outW, $"pixels [{firstPixel}, {firstPixel + (long)pixels}) lie outside the {outH}×{outW} output.");
        CheckBias(bias, weight.Rows);
        Require(workspace.Length >= ConvWorkspaceSize, $"workspace needs {ConvWorkspaceSize} floats.");
        fixed (float* px = x)
        fixed (float* pb = bias)
        fixed (float* py = y)
        fixed (float* pw = workspace)
        {
            impl.Conv2d(px, inH, inW, weight, stride, pad, outW, firstPixel, pixels, bias.IsEmpty ? null : pb, py, epilogue, pw);
        }

        GC.KeepAlive(weight);
    }

    /// <summary>Output size of <c>Conv2d</c>: (in + 2·pad − kernel) / stride + 1 per axis.</summary>
    public static (int OutH, int OutW) ConvOutputSize(int inH, int inW, int kernelH, int kernelW, int stride, int pad)
    {
        Require(stride > 0 && pad >= 0 && kernelH > 0 && kernelW > 0, "Conv needs stride > 0, pad ≥ 0, kernel > 0.");
        Require(inH + (2 * pad) >= kernelH && inW + (2 * pad) >= kernelW, $"Input {inH}×{inW} (pad {pad}) is smaller than the kernel {kernelH}×{kernelW}.");
        return (((inH + (2 * pad) - kernelH) / stride) + 1, ((inW + (2 * pad) - kernelW) / stride) + 1);
    }

    /// <summary>Per row of length dim: y = (x − mean) / sqrt(var + eps) · gamma + beta, biased variance. y may alias x.</summary>
    public void LayerNorm(ReadOnlySpan<float> x, int rows, int dim, ReadOnlySpan<float> gamma, ReadOnlySpan<float> beta, float eps, Span<float> y)
    {
        Require(rows >= 0 && dim > 0, "LayerNorm needs rows ≥ 0 and dim > 0.");
        Require(x.Length >= (long)rows * dim && y.Length >= (long)rows * dim, $"x and y need {rows}×{dim} floats.");
        Require(gamma.Length >= dim && beta.Length >= dim, $"gamma and beta need {dim} floats.");
        fixed (float* px = x)
        fixed (float* pg = gamma)
        fixed (float* pb = beta)
        fixed (float* py = y)
        {
            impl.LayerNorm(px, rows, dim, pg, pb, eps, py);
        }
    }

    /// <summary>Exact GELU, 0.5·x·(1 + erf(x/√2)), absolute error ≤ 1e-6. y may alias x.</summary>
    public void Gelu(ReadOnlySpan<float> x, Span<float> y)
    {
        Require(y.Length >= x.Length, "y is shorter than x.");
        fixed (float* px = x)
        fixed (float* py = y)
        {
            impl.Gelu(px, py, x.Length);
        }
    }

    /// <summary>In-place, max-subtracted softmax of one row.</summary>
    public void Softmax(Span<float> row)
    {
        fixed (float* p = row)
        {
            impl.Softmax(p, row.Length, 1f);
        }
    }

    /// <summary>
    /// Multi-head attention with heads side by side in columns: head h uses columns [h·headDim, (h+1)·headDim) of
    /// q, k, v and output; out[i] = softmax_j(q[i]·k[j] · scale) · v. Only heads [headStart, headStart + headCount)
    /// are computed, so threads can split heads.
    /// </summary>
    /// <param name="q">Queries, tq rows of stride ldq.</param>
    /// <param name="ldq">Row stride of q.</param>
    /// <param name="k">Keys, tk rows of stride ldk.</param>
    /// <param name="ldk">Row stride of k.</param>
    /// <param name="v">Values, tk rows of stride ldv.</param>
    /// <param name="ldv">Row stride of v.</param>
    /// <param name="tq">Query count.</param>
    /// <param name="tk">Key/value count (≥ 1).</param>
    /// <param name="headDim">Columns per head.</param>
    /// <param name="scale">Score scale, usually headDim^-½.</param>
    /// <param name="output">Output, tq rows of stride ldo; must not overlap the inputs' columns of the computed heads.</param>
    /// <param name="ldo">Row stride of output.</param>
    /// <param name="headStart">First head to compute.</param>
    /// <param name="headCount">Number of heads to compute.</param>
    /// <param name="scratch">At least <see cref="AttentionScratchSize"/>(tq, tk) floats.</param>
    public void Attention(
        ReadOnlySpan<float> q, int ldq, ReadOnlySpan<float> k, int ldk, ReadOnlySpan<float> v, int ldv, int tq, int tk, int headDim, float scale,
        Span<float> output, int ldo, int headStart, int headCount, Span<float> scratch)
    {
        var size = checked((int)impl.AttentionWorkspaceSize(tq, tk, headDim));
        Attention(q, ldq, k, ldk, v, ldv, tq, tk, headDim, scale, output, ldo, headStart, headCount, scratch, new Span<float>(ThreadScratch.Get(size), size));
    }

    /// <summary>Floats of workspace the internal <c>Attention</c> overload needs besides the score scratch (packed keys and values of one head).</summary>
    internal int AttentionWorkspaceSize(int tq, int tk, int headDim) => checked((int)impl.AttentionWorkspaceSize(tq, tk, headDim));

    /// <summary>Attention with caller-owned workspace (an engine arena) of <see cref="AttentionWorkspaceSize(int, int, int)"/> floats.</summary>
    internal void Attention(
        ReadOnlySpan<float> q, int ldq, ReadOnlySpan<float> k, int ldk, ReadOnlySpan<float> v, int ldv, int tq, int tk, int headDim, float scale,
        Span<float> output, int ldo, int headStart, int headCount, Span<float> scratch, Span<float> workspace)
    {
        Require(tq >= 0 && tk > 0 && headDim > 0 && headStart >= 0 && headCount >= 0, "Attention needs tq ≥ 0, tk > 0, headDim > 0, headStart ≥ 0, headCount ≥ 0.");
        if (tq == 0 || headCount == 0)
        {
            return;
        }

        var width = (headStart + headCount) * headDim;
        Require(ldq >= width && ldk >= width && ldv >= width && ldo >= width, $"Row strides must cover {width} columns.");
        Require(q.Length >= ((long)(tq - 1) * ldq) + width, "q is too short.");
        Require(k.Length >= ((long)(tk - 1) * ldk) + width, "k is too short.");
        Require(v.Length >= ((long)(tk - 1) * ldv) + width, "v is too short.");
        Require(output.Length >= ((long)(tq - 1) * ldo) + width, "output is too short.");
        Require(scratch.Length >= AttentionScratchSize(tq, tk), $"scratch needs {AttentionScratchSize(tq, tk)} floats.");
        Require(workspace.Length >= AttentionWorkspaceSize(tq, tk, headDim), $"workspace needs {AttentionWorkspaceSize(tq, tk, headDim)} floats.");
        fixed (float* pq = q)
        fixed (float* pk = k)
        fixed (float* pv = v)
        fixed (float* po = output)
        fixed (float* ps = scratch)
        fixed (float* pw = workspace)
        {
            impl.Attention(pq, ldq, pk, ldk, pv, ldv, tq, tk, headDim, scale, po, ldo, headStart, headCount, ps, pw);
        }
    }

    /// <summary>Floats of scratch <c>Attention</c> needs: one block of scores.</summary>
    public static int AttentionScratchSize(int tq, int tk) => AttentionBlock.ScratchSize(tq, tk);

    /// <summary>
    /// Cross-attention of one query token over <paramref name="tokens"/> rows of x, with keys x·Wkᵀ + bk and values
    /// x·Wvᵀ + bv never formed: per head h, out_h = Wv_h · Σ_j softmax_j(scale · (Wk_hᵀ q_h) · x_j) x_j + bv_h.
    /// The key bias is not needed (it shifts all of a head's scores alike). Only heads [headStart, headStart + headCount)
    /// of output are written.
    /// </summary>
    /// <param name="q">The projected query, [dim] (heads side by side).</param>
    /// <param name="x">The tokens, [tokens, dim], row-contiguous.</param>
    /// <param name="tokens">Token count (≥ 1).</param>
    /// <param name="dim">Width of q, x and the output; a multiple of <paramref name="heads"/>.</param>
    /// <param name="wk">Key weight, nn.Linear layout [dim, dim].</param>
    /// <param name="wv">Value weight, [dim, dim].</param>
    /// <param name="bv">Value bias, [dim], or empty.</param>
    /// <param name="heads">Number of heads.</param>
    /// <param name="scale">Score scale, usually (dim / heads)^-½.</param>
    /// <param name="output">Output, [dim]; must not overlap the inputs.</param>
    /// <param name="headStart">First head to compute.</param>
    /// <param name="headCount">Number of heads to compute.</param>
    /// <param name="scratch">At least <see cref="ClsAttentionScratchSize"/>(tokens, dim) floats.</param>
    public void ClsAttention(
        ReadOnlySpan<float> q, ReadOnlySpan<float> x, int tokens, int dim, ReadOnlySpan<float> wk, ReadOnlySpan<float> wv, ReadOnlySpan<float> bv,
        int heads, float scale, Span<float> output, int headStart, int headCount, Span<float> scratch)
    {
        Require(tokens > 0 && dim > 0 && heads > 0 && dim % heads == 0, $"ClsAttention needs tokens > 0 and dim > 0 a multiple of heads; got tokens {tokens}, dim {dim}, heads {heads}.");
        Require(headStart >= 0 && headCount >= 0 && headStart + headCount <= heads, $"Heads [{headStart}, {headStart + headCount}) lie outside [0, {heads}).");
        Require(q.Length >= dim && output.Length >= dim, $"q and output need {dim} floats.");
        Require(x.Length >= (long)tokens * dim, $"x has {x.Length} floats, expected {tokens}×{dim}.");
        Require(wk.Length >= (long)dim * dim && wv.Length >= (long)dim * dim, $"wk and wv need {dim}×{dim} floats.");
        Require(bv.IsEmpty || bv.Length >= dim, $"bv has {bv.Length} floats, expected {dim} or none.");
        Require(scratch.Length >= ClsAttentionScratchSize(tokens, dim), $"scratch needs {ClsAttentionScratchSize(tokens, dim)} floats.");
        fixed (float* pq = q)
        fixed (float* px = x)
        fixed (float* pk = wk)
        fixed (float* pv = wv)
        fixed (float* pb = bv)
        fixed (float* po = output)
        fixed (float* ps = scratch)
        {
            impl.ClsAttention(pq, px, tokens, dim, pk, pv, bv.IsEmpty ? null : pb, dim / heads, scale, po, headStart, headCount, ps);
        }
    }

    /// <summary>Floats of scratch <c>ClsAttention</c> needs.</summary>
    public static int ClsAttentionScratchSize(int tokens, int dim) => tokens + (2 * dim);

    /// <summary>
    /// dst [size, size, channels] = src [channels, srcH, srcW] from row <paramref name="top"/>, column
    /// <paramref name="left"/>: an image made channels-last (and cropped) for the patch embedding. Only dst rows
    /// [<paramref name="firstRow"/>, <paramref name="firstRow"/> + <paramref name="rows"/>) are written, so threads can
    /// split the copy into bands.
    /// </summary>
    internal void ChannelsLast(ReadOnlySpan<float> src, int channels, int srcH, int srcW, int top, int left, int size, Span<float> dst, int firstRow, int rows)
    {
        Require(channels > 0 && size >= 0, "ChannelsLast needs channels > 0 and size ≥ 0.");
        Require(top >= 0 && left >= 0 && top + size <= srcH && left + size <= srcW && src.Length >= (long)channels * srcH * srcW,
            $"A {size}×{size} window at ({top}, {left}) does not fit {channels} planes of {srcH}×{srcW} floats ({src.Length} given).");
        Require(dst.Length >= (long)size * size * channels, $"dst has {dst.Length} floats, expected {size}×{size}×{channels}.");
        Require(firstRow >= 0 && rows >= 0 && firstRow + (long)rows <= size, $"rows [{firstRow}, {firstRow + (long)rows}) lie outside [0, {size}).");
        fixed (float* ps = src)
        fixed (float* pd = dst)
        {
            impl.ChannelsLast(ps, channels, srcH, srcW, top, left, size, pd, firstRow, rows);
        }
    }

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
    internal int ResizeWorkspaceSize(int inW, int outH, int outW) => checked((int)impl.ResizeWorkspaceSize(inW, outH, outW));

    /// <summary>
    /// Output rows [<paramref name="firstRow"/>, <paramref name="firstRow"/> + <paramref name="rows"/>) of the planes
    /// stacked (planes · outH rows in all), with caller-owned workspace (an engine arena) of <see cref="ResizeWorkspaceSize"/>
    /// floats: threads split a resize into bands of rows, each computed as it would be whole.
    /// </summary>
    internal void Resize(ReadOnlySpan<float> src, int planes, int inH, int inW, Span<float> dst, int outH, int outW, ResizeMode mode, Span<float> workspace, int firstRow, int rows)
    {
        Require(planes >= 0 && inH > 0 && inW > 0 && outH > 0 && outW > 0, "Resize needs positive sizes.");
        Require(src.Length >= (long)planes * inH * inW, "src is too short.");
        Require(dst.Length >= (long)planes * outH * outW, "dst is too short.");
        Require(firstRow >= 0 && rows >= 0 && firstRow + (long)rows <= (long)planes * outH, $"rows [{firstRow}, {firstRow + (long)rows}) lie outside the {planes}×{outH} output rows.");
        Require(workspace.Length >= ResizeWorkspaceSize(inW, outH, outW), $"workspace needs {ResizeWorkspaceSize(inW, outH, outW)} floats.");
        fixed (float* ps = src)
        fixed (float* pd = dst)
        fixed (float* pw = workspace)
        {
            impl.Resize(ps, inH, inW, pd, outH, outW, mode, pw, firstRow, rows);
        }
    }

    /// <summary>Packs [n, k] stored elements, in contiguous ranges of panels, one range per thread.</summary>
    private PackedMatrix Pack(ReadOnlySpan<byte> rowsByK, DType dtype, int n, int k, int kernelH, int kernelW, int threads)
    {
        var nr = impl.PanelWidth;
        var data = new AlignedBuffer(PackB.Size(n, k, nr));
        var panels = (n + nr - 1) / nr;
        var parts = Math.Min(threads, panels);
        fixed (byte* src = rowsByK)
        {
            var packer = new PanelPacker(impl, src, dtype, n, k, nr, data.Pointer);
            if (parts == 1)
            {
                packer.Pack(0, panels);
            }
            else
            {
                Parallel.For(0, parts, new ParallelOptions { MaxDegreeOfParallelism = parts },
                    part => packer.Pack(panels * part / parts, panels * (part + 1) / parts));
            }
        }

        return new PackedMatrix(Isa, n, k, nr, data, kernelH, kernelW);
    }

    /// <summary>Packs panels of stored rows: float32 ones in place, others converted a panel's rows at a time.</summary>
    private readonly struct PanelPacker(KernelImpl impl, byte* src, DType dtype, int n, int k, int nr, float* dst)
    {
        public void Pack(int firstPanel, int endPanel)
        {
            var size = DTypes.SizeOf(dtype);
            var inPlace = dtype == DType.F32 && BitConverter.IsLittleEndian;
            var converted = inPlace ? [] : GC.AllocateUninitializedArray<float>(nr * k);
            fixed (float* scratch = converted)
            {
                for (var panel = firstPanel; panel < endPanel; panel++)
                {
                    var n0 = panel * nr;
                    var width = Math.Min(nr, n - n0);
                    var rows = src + ((long)n0 * k * size);
                    if (!inPlace)
                    {
                        ElementConversion.ToFloat32(dtype, new ReadOnlySpan<byte>(rows, width * k * size), new Span<float>(scratch, width * k));
                    }

                    impl.PackRows(inPlace ? (float*)rows : scratch, k, width, k, dst + ((long)n0 * k));
                }
            }
        }
    }

    private void CheckWeight(PackedMatrix weight)
    {
        ArgumentNullException.ThrowIfNull(weight);
        Require(weight.Isa == Isa, $"Weight was packed for {weight.Isa}, this kernel set is {Isa}.");
    }

    private static void CheckBias(ReadOnlySpan<float> bias, int n) =>
        Require(bias.IsEmpty || bias.Length >= n, $"bias has {bias.Length} floats, expected {n} (or none).");

    private static void Require(bool condition, string message)
    {
        if (!condition)
        {
            throw new ArgumentException(message);
        }
    }

    private static void Require(bool condition, [InterpolatedStringHandlerArgument(nameof(condition))] ref RequireMessage message)
    {
        if (!condition)
        {
            throw new ArgumentException(message.ToString());
        }
    }
}

using CrossVit.Runtime.Kernels.Gemm;
using CrossVit.Runtime.Kernels.Simd;

namespace CrossVit.Runtime.Kernels;

/// <summary>The kernels of one ISA behind one virtual call per operation, so dispatch is decided once.</summary>
internal abstract unsafe class KernelImpl
{
    public abstract int PanelWidth { get; }

    /// <summary>Packs rows [0, n) of a row-major [n, k] matrix (row stride ld) into GEMM panels (<see cref="PackB.FromRows"/>).</summary>
    public abstract void PackRows(float* src, int ld, int n, int k, float* dst);

    /// <summary>Rows of the GEMM micro-kernel's tile.</summary>
    public abstract int RowTile { get; }

    /// <summary>Output columns [firstColumn, firstColumn + columns) of y[rows, outFeatures]; firstColumn is a multiple of <see cref="PanelWidth"/>.</summary>
    public abstract void Linear(float* x, int rows, int inFeatures, float* packedW, int outFeatures, float* bias, float* y, Epilogue epilogue, int firstColumn, int columns);

    /// <summary>Floats of workspace <see cref="Conv2d"/> needs.</summary>
    public abstract long ConvWorkspaceSize { get; }

    /// <summary>Output pixels [firstPixel, firstPixel + pixels) of the convolution; y is the whole output.</summary>
    public abstract void Conv2d(float* x, int inH, int inW, PackedMatrix weight, int stride, int pad, int outW, int firstPixel, int pixels, float* bias, float* y, Epilogue epilogue, float* workspace);

    public abstract void LayerNorm(float* x, int rows, int dim, float* gamma, float* beta, float eps, float* y);

    public abstract void Gelu(float* x, float* y, int length);

    public abstract void Softmax(float* row, int length, float scale);

    /// <summary>Floats of workspace <see cref="Attention"/> needs besides the score scratch.</summary>
    public abstract long AttentionWorkspaceSize(int tq, int tk, int headDim);

    public abstract void Attention(
        float* q, int ldq, float* k, int ldk, float* v, int ldv, int tq, int tk, int headDim, float scale,
        float* output, int ldo, int headStart, int headCount, float* scores, float* workspace);

    public abstract void ClsAttention(
        float* q, float* x, int tokens, int dim, float* wk, float* wv, float* bv, int headDim, float scale,
        float* output, int headStart, int headCount, float* scratch);

    /// <summary>Rows [firstRow, firstRow + rows) of an image made channels-last and cropped (see <c>KernelSet.ChannelsLast</c>).</summary>
    public abstract void ChannelsLast(float* src, int channels, int srcH, int srcW, int top, int left, int size, float* dst, int firstRow, int rows);

    /// <summary>Floats of workspace <see cref="Resize"/> needs.</summary>
    public abstract long ResizeWorkspaceSize(int inW, int outH, int outW);

    /// <summary>Output rows [firstRow, firstRow + rows) of the planes stacked (planes · outH rows in all).</summary>
    public abstract void Resize(float* src, int inH, int inW, float* dst, int outH, int outW, ResizeMode mode, float* workspace, int firstRow, int rows);

    protected static Activation ActivationOf(Epilogue epilogue) => epilogue switch
    {
        Epilogue.Gelu => Activation.Gelu,
        Epilogue.Relu => Activation.Relu,
        _ => Activation.None,
    };
}

/// <inheritdoc />
internal sealed unsafe class KernelImpl<TSimd, TVec> : KernelImpl
    where TSimd : ISimd<TVec>, IGemmBlocking
    where TVec : struct
{
    public override int PanelWidth => GemmDriver<TSimd, TVec>.Nr;

    public override void PackRows(float* src, int ld, int n, int k, float* dst) =>
        PackB.FromRows<TSimd, TVec>(src, ld, n, k, GemmDriver<TSimd, TVec>.Nr, dst);

    public override int RowTile => TSimd.Mr;

    public override void Linear(float* x, int rows, int inFeatures, float* packedW, int outFeatures, float* bias, float* y, Epilogue epilogue, int firstColumn, int columns) =>
        GemmDriver<TSimd, TVec>.Run(
            new RowMajorA(x, inFeatures), rows, columns, inFeatures, packedW + ((long)firstColumn * inFeatures), bias == null ? null : bias + firstColumn,
            y + firstColumn, outFeatures, epilogue == Epilogue.Accumulate, ActivationOf(epilogue), null);

    public override long ConvWorkspaceSize => GemmDriver<TSimd, TVec>.WorkspaceSize;

    public override void Conv2d(float* x, int inH, int inW, PackedMatrix weight, int stride, int pad, int outW, int firstPixel, int pixels, float* bias, float* y, Epilogue epilogue, float* workspace) =>
        GemmDriver<TSimd, TVec>.Run(
            new ConvPatchA(x, inH, inW, weight.InChannels, weight.KernelW, stride, pad, outW, firstPixel), pixels, weight.Rows, weight.Cols,
            weight.Pointer, bias, y + ((long)firstPixel * weight.Rows), weight.Rows, epilogue == Epilogue.Accumulate, ActivationOf(epilogue), workspace);

    public override void LayerNorm(float* x, int rows, int dim, float* gamma, float* beta, float eps, float* y) =>
        LayerNorm<TSimd, TVec>.Run(x, rows, dim, gamma, beta, eps, y);

    public override void Gelu(float* x, float* y, int length) => Elementwise.Map<GeluOperator, TSimd, TVec>(x, y, length);

    public override void Softmax(float* row, int length, float scale) => Softmax<TSimd, TVec>.Run(row, length, scale);

    public override long AttentionWorkspaceSize(int tq, int tk, int headDim) => Attention<TSimd, TVec>.WorkspaceSize(tq, tk, headDim);

    public override void Attention(
        float* q, int ldq, float* k, int ldk, float* v, int ldv, int tq, int tk, int headDim, float scale,
        float* output, int ldo, int headStart, int headCount, float* scores, float* workspace) =>
        Attention<TSimd, TVec>.Run(q, ldq, k, ldk, v, ldv, tq, tk, headDim, scale, output, ldo, headStart, headCount, scores, workspace);

    public override void ClsAttention(
        float* q, float* x, int tokens, int dim, float* wk, float* wv, float* bv, int headDim, float scale,
        float* output, int headStart, int headCount, float* scratch) =>
        ClsAttention<TSimd, TVec>.Run(q, x, tokens, dim, wk, wv, bv, headDim, scale, output, headStart, headCount, scratch);

    public override void ChannelsLast(float* src, int channels, int srcH, int srcW, int top, int left, int size, float* dst, int firstRow, int rows) =>
        ChannelsLast<TSimd, TVec>.Run(src, channels, srcH, srcW, top, left, size, dst, firstRow, rows);

    public override long ResizeWorkspaceSize(int inW, int outH, int outW) => Resize<TSimd, TVec>.WorkspaceSize(inW, outH, outW);

    public override void Resize(float* src, int inH, int inW, float* dst, int outH, int outW, ResizeMode mode, float* workspace, int firstRow, int rows) =>
        Resize<TSimd, TVec>.Run(src, inH, inW, dst, outH, outW, mode, workspace, firstRow, rows);
}

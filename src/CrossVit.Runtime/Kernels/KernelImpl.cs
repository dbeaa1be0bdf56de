using CrossVit.Runtime.Kernels.Gemm;
using CrossVit.Runtime.Kernels.Simd;

namespace CrossVit.Runtime.Kernels;

/// <summary>
/// The kernels of one ISA behind one virtual call per operation, so dispatch is decided once. Arguments are not
/// checked here: <see cref="KernelSet"/> and <see cref="ParallelKernels"/> check each operation once. Each
/// operation's members are declared in the operation's own file.
/// </summary>
internal abstract unsafe partial class KernelImpl
{
    public abstract int PanelWidth { get; }

    /// <summary>Packs rows [0, n) of a row-major [n, k] matrix (row stride ld) into GEMM panels (<see cref="PackB.FromRows"/>).</summary>
    public abstract void PackRows(float* src, int ld, int n, int k, float* dst);

    /// <summary>Rows of the GEMM micro-kernel's tile.</summary>
    public abstract int RowTile { get; }

    /// <summary>Rows of the GEMM's M block, each of which streams all of B.</summary>
    public abstract int BlockRows { get; }

    /// <summary>
    /// Rows that threads split GEMMs, convolutions and norms in multiples of: half a micro-kernel tile, which a band's
    /// short last tile computes at half the cost (NEON's kernel always computes whole tiles: a whole one there).
    /// </summary>
    public abstract int RowGranule { get; }

    /// <summary>The deepest K slice of a GEMM: its tiles sum at most this many products in registers before adding onto C.</summary>
    public abstract int SliceDepth { get; }

    protected static Activation ActivationOf(Epilogue epilogue) => epilogue switch
    {
        Epilogue.Gelu => Activation.Gelu,
        Epilogue.Relu => Activation.Relu,
        _ => Activation.None,
    };
}

/// <inheritdoc />
internal sealed unsafe partial class KernelImpl<TSimd, TVec> : KernelImpl
    where TSimd : ISimd<TVec>, IGemmBlocking
    where TVec : struct
{
    public override int PanelWidth => GemmDriver<TSimd, TVec>.Nr;

    public override void PackRows(float* src, int ld, int n, int k, float* dst) =>
        PackB.FromRows<TSimd, TVec>(src, ld, n, k, GemmDriver<TSimd, TVec>.Nr, dst);

    public override int RowTile => TSimd.Mr;

    public override int BlockRows => GemmDriver<TSimd, TVec>.BlockRows;

    public override int RowGranule => typeof(TSimd) == typeof(SimdNeon) ? TSimd.Mr : HalfTile.Of(TSimd.Mr);

    public override int SliceDepth => TSimd.Kc;
}

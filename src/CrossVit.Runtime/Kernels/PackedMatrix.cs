namespace CrossVit.Runtime.Kernels;

/// <summary>
/// Weights prepacked once into the GEMM panel layout of one <see cref="Kernels.Isa"/>: panels of
/// <c>2 × vector width</c> output features, each holding, for every k, that many consecutive floats.
/// Create with <see cref="KernelSet.PackLinear(ReadOnlySpan{float}, int, int)"/> (or its overload for stored bytes) or <see cref="KernelSet.PackConv"/>.
/// </summary>
public sealed unsafe class PackedMatrix
{
    private readonly AlignedBuffer _data;

    internal PackedMatrix(Isa isa, int rows, int cols, int panelWidth, AlignedBuffer data, int kernelH = 1, int kernelW = 1)
    {
        Isa = isa;
        Rows = rows;
        Cols = cols;
        PanelWidth = panelWidth;
        _data = data;
        KernelH = kernelH;
        KernelW = kernelW;
    }

    /// <summary>N: output features (conv: output channels).</summary>
    public int Rows { get; }

    /// <summary>K: input features (conv: kernelH · kernelW · inChannels).</summary>
    public int Cols { get; }

    /// <summary>The ISA whose layout this is; only a <see cref="KernelSet"/> of that ISA accepts it.</summary>
    public Isa Isa { get; }

    /// <summary>Conv kernel height (1 for linear weights).</summary>
    public int KernelH { get; }

    /// <summary>Conv kernel width (1 for linear weights).</summary>
    public int KernelW { get; }

    /// <summary>Conv input channels: <see cref="Cols"/> / (<see cref="KernelH"/> · <see cref="KernelW"/>).</summary>
    public int InChannels => Cols / (KernelH * KernelW);

    internal int PanelWidth { get; }

    internal float* Pointer => _data.Pointer;
}

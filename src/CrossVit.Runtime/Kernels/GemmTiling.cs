namespace CrossVit.Runtime.Kernels;

/// <summary>
/// The GEMM's tiling on one ISA, as the ways of splitting it between workers see it: <paramref name="RowTile"/> rows
/// per micro-kernel tile, <paramref name="BlockRows"/> rows per M block (each of which streams all the weights) and
/// <paramref name="PanelWidth"/> columns per weight panel.
/// </summary>
internal readonly record struct GemmTiling(int RowTile, int BlockRows, int PanelWidth);

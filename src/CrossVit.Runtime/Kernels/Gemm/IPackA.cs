namespace CrossVit.Runtime.Kernels.Gemm;

/// <summary>A source of the GEMM's left operand, packed per call into micro-panels.</summary>
internal unsafe interface IPackA
{
    /// <summary>
    /// Packs rows [row0, row0 + rows) × columns [k0, k0 + kc) into micro-panels of <paramref name="mr"/> rows:
    /// panel p at dst + p·mr·kc, element (r, k) at k·mr + r; rows past the end are zero.
    /// </summary>
    void Pack(int row0, int rows, int k0, int kc, int mr, float* dst);
}

namespace CrossVit.Runtime.Kernels.Gemm;

/// <summary>The GEMM's left operand, handed to the micro-kernel as row-major blocks.</summary>
internal unsafe interface IASource
{
    /// <summary>
    /// Rows [row0, row0 + rows) × columns [k0, k0 + kc) as a row-major block: returns its first element and sets
    /// <paramref name="lda"/> to its row stride. A source already row-major returns a pointer into itself (no copy);
    /// others materialise the block into <paramref name="workspace"/> (rows × kc floats).
    /// </summary>
    float* Block(int row0, int rows, int k0, int kc, float* workspace, out long lda);

    /// <summary>Whether <see cref="Block"/> copies the block into the workspace rather than pointing into the source.</summary>
    bool CopiesBlocks { get; }
}

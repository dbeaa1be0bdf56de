namespace CrossVit.Runtime.Kernels.Gemm;

/// <summary>Left operand stored row-major with row stride lda: used in place.</summary>
internal readonly unsafe struct RowMajorA(float* a, long lda) : IASource
{
    public float* Block(int row0, int rows, int k0, int kc, float* workspace, out long blockLda)
    {
        blockLda = lda;
        return a + (row0 * lda) + k0;
    }

    public bool CopiesBlocks => false;
}

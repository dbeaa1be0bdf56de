namespace CrossVit.Runtime.Kernels.Gemm;

/// <summary>Left operand stored row-major with row stride <see cref="Lda"/>.</summary>
internal readonly unsafe struct RowMajorA(float* a, int lda) : IPackA
{
    public int Lda => lda;

    public void Pack(int row0, int rows, int k0, int kc, int mr, float* dst)
    {
        for (var i = 0; i < rows; i += mr)
        {
            var height = Math.Min(mr, rows - i);
            var panel = dst + (i * kc);
            for (var r = 0; r < mr; r++)
            {
                if (r < height)
                {
                    var src = a + ((long)(row0 + i + r) * lda) + k0;
                    for (var k = 0; k < kc; k++)
                    {
                        panel[(k * mr) + r] = src[k];
                    }
                }
                else
                {
                    for (var k = 0; k < kc; k++)
                    {
                        panel[(k * mr) + r] = 0f;
                    }
                }
            }
        }
    }
}

namespace CrossVit.Runtime.Kernels;

/// <summary>Score block shape shared by every ISA, so the scratch size does not depend on the kernel set.</summary>
internal static class AttentionBlock
{
    /// <summary>Query rows per score block: 64 × 401 scores (100 KB) stay in L2.</summary>
    public const int Rows = 64;

    /// <summary>Below this many queries (cross-attention has one) packing K and V costs more than it saves: score rows are dot products.</summary>
    public const int GemvMaxRows = 3;

    public static int ScratchSize(int tq, int tk) => Math.Min(tq, Rows) * Stride(tk);

    /// <summary>Row stride of the scores: tk rounded up to 16 floats, so each row starts on a 64-byte boundary.</summary>
    public static int Stride(int tk) => (tk + 15) / 16 * 16;
}

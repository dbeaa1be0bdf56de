namespace CrossVit.Runtime.Kernels;

/// <summary>Score strip shape shared by every ISA, so the scratch size does not depend on the kernel set.</summary>
internal static class AttentionBlock
{
    /// <summary>Query rows per strip: the most any ISA's micro-kernel tile has (<c>IGemmBlocking.Mr</c>).</summary>
    public const int Rows = 8;

    /// <summary>Below this many queries (cross-attention has one) packing K and V costs more than it saves: score rows are dot products.</summary>
    public const int GemvMaxRows = 3;

    public static int ScratchSize(int tq, int tk) => Math.Min(tq, Rows) * Stride(tk);

    /// <summary>Row stride of the strip: tk rounded up to 32 floats, whole panels of the widest tile (AVX-512's 2 × 16).</summary>
    public static int Stride(int tk) => (tk + 31) / 32 * 32;
}

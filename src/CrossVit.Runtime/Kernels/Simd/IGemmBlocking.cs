namespace CrossVit.Runtime.Kernels.Simd;

/// <summary>
/// GEMM blocking of one ISA, kept next to its vector operations. The micro-kernel tile is
/// <see cref="Mr"/> rows × two vectors; <see cref="Kc"/> bounds the K slice so a B micro-panel stays in L1,
/// <see cref="Mc"/> bounds the A block (read in place, or materialised by im2col) so it stays in L2. Every M block
/// streams all of B again, and a model's weights come cold from memory on every pass, so the x86 paths take Mc ≥ 197
/// (a branch's tokens at 240 px): one block per image, each weight panel read once per GEMM.
/// </summary>
internal interface IGemmBlocking
{
    /// <summary>Rows of the micro-kernel tile; at most 8, the accumulator rows <c>MicroKernel</c> has.</summary>
    static abstract int Mr { get; }

    static abstract int Kc { get; }

    static abstract int Mc { get; }
}

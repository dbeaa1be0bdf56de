namespace CrossVit.Runtime.Kernels.Simd;

/// <summary>
/// GEMM blocking of one ISA, kept next to its vector operations. The micro-kernel tile is
/// <see cref="Mr"/> rows × two vectors; <see cref="Kc"/> bounds the K slice so a B micro-panel stays in L1,
/// <see cref="Mc"/> bounds the A block (read in place, or materialised by im2col) so it stays in L2. Every M block
/// streams all of B again, and a model's weights come cold from memory on every pass, so the x86 paths take Mc ≥ 197
/// (a branch's tokens at 240 px): one block per image, each weight panel read once per GEMM. A block copied for one or
/// two panels only is built two tiles at a time instead (<c>GemmDriver.BlockRowsFor</c>).
/// </summary>
internal interface IGemmBlocking
{
    /// <summary>Rows of the micro-kernel tile; at most 8, the accumulator rows <c>MicroKernel</c> has.</summary>
    static abstract int Mr { get; }

    static abstract int Kc { get; }

    static abstract int Mc { get; }

    /// <summary>
    /// Whether the first M block fetches the next weight panel by a <c>LineStream</c> riding along the micro-kernel's k
    /// steps, rather than all at once before each tile: with AVX-512 that took batch-1 passes 0.5–4% faster, with AVX2
    /// about 1–2% slower (performance-history.md, "This round (2026-12-06, late morning)").
    /// </summary>
    static abstract bool StreamsWeights { get; }
}

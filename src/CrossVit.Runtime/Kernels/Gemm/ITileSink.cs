namespace CrossVit.Runtime.Kernels.Gemm;

/// <summary>
/// Where a micro-kernel tile's accumulators go once its K slice is done: the GEMM's C (<see cref="CTileSink{TSimd, TVec}"/>),
/// or attention's exponentiated scores. Implementations are structs, so each micro-kernel instance inlines its sink.
/// </summary>
internal unsafe interface ITileSink<TVec>
    where TVec : struct
{
    /// <summary>Whether all 2 vectors of columns are real, so rows go to <see cref="Row"/> straight from the registers.</summary>
    bool Whole { get; }

    /// <summary>Tile row <paramref name="row"/> (below the tile's real rows), its two vectors.</summary>
    void Row(int row, TVec v0, TVec v1);

    /// <summary>A tile with a ragged right edge, stored at <paramref name="tile"/> (row stride 2 vectors) with <paramref name="rows"/> real rows.</summary>
    void Ragged(float* tile, int rows);
}

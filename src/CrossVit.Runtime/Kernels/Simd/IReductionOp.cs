namespace CrossVit.Runtime.Kernels.Simd;

/// <summary>
/// The terms of a sum with its inputs bound, for <see cref="Reduction.Sum"/>: an accumulator plus the vector of terms
/// at an element index (one FMA where a term is a product), written once for every vector width (scalar included).
/// </summary>
internal interface IReductionOp
{
    TVec Accumulate<TSimd, TVec>(TVec sum, long i)
        where TSimd : ISimd<TVec>
        where TVec : struct;
}

namespace CrossVit.Runtime.Kernels.Simd;

/// <summary>
/// An element-wise operation with its inputs bound, for <see cref="Elementwise.Run"/>: the vector of results at an
/// element index, written once for every vector width (scalar included).
/// </summary>
internal interface IElementwiseOp
{
    TVec At<TSimd, TVec>(long i)
        where TSimd : ISimd<TVec>
        where TVec : struct;
}

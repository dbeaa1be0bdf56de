namespace CrossVit.Runtime.Kernels.Simd;

/// <summary>An element-wise operation written once for every vector width (scalar included).</summary>
internal interface IUnaryOperator
{
    static abstract TVec Invoke<TSimd, TVec>(TVec x)
        where TSimd : ISimd<TVec>
        where TVec : struct;
}

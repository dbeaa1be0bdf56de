using CrossVit.Runtime.Kernels.Simd;

namespace CrossVit.Runtime.Kernels.Gemm;

/// <summary>What the GEMM does to an accumulator vector on its way to C: + bias, + old C, activation.</summary>
internal static unsafe class StoreEpilogue<TSimd, TVec>
    where TSimd : ISimd<TVec>
    where TVec : struct
{
    public static TVec Apply(TVec value, float* c, float* bias, bool accumulate, Activation activation)
    {
        if (bias != null)
        {
            value = TSimd.Add(value, TSimd.Load(bias));
        }

        if (accumulate)
        {
            value = TSimd.Add(TSimd.Load(c), value);
        }

        return activation switch
        {
            Activation.Gelu => GeluOperator.Invoke<TSimd, TVec>(value),
            Activation.Relu => ReluOperator.Invoke<TSimd, TVec>(value),
            _ => value,
        };
    }
}

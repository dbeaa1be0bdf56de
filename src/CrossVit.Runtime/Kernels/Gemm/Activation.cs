namespace CrossVit.Runtime.Kernels.Gemm;

/// <summary>Element-wise function the GEMM applies when it stores the final K slice.</summary>
internal enum Activation
{
    None,
    Gelu,
    Relu,
}

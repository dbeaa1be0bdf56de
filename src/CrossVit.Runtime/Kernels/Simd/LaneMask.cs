using System.Runtime.InteropServices;

namespace CrossVit.Runtime.Kernels.Simd;

/// <summary>
/// The bit masks of <see cref="ISimd{TVec}.ClearFirst"/>: sixteen lanes of zeros, then sixteen of ones. A vector of any
/// width loaded from element 16 − n on has its first n lanes zero and the rest all ones.
/// </summary>
internal static class LaneMask
{
    /// <summary>Lanes per half of the table: the widest vector's.</summary>
    public const int Lanes = 16;

    private static ReadOnlySpan<uint> Bits =>
    [
        0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
        uint.MaxValue, uint.MaxValue, uint.MaxValue, uint.MaxValue, uint.MaxValue, uint.MaxValue, uint.MaxValue, uint.MaxValue,
        uint.MaxValue, uint.MaxValue, uint.MaxValue, uint.MaxValue, uint.MaxValue, uint.MaxValue, uint.MaxValue, uint.MaxValue,
    ];

    /// <summary>The table's first element: a mask clearing n lanes starts <see cref="Lanes"/> − n elements on.</summary>
    public static ref uint Start => ref MemoryMarshal.GetReference(Bits);
}

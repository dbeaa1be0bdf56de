using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace CrossVit.Runtime.Kernels.Simd;

/// <summary>Vector512&lt;float&gt; operations and GEMM blocking: the <see cref="Isa.Avx512"/> path.</summary>
internal readonly unsafe struct Simd512 : ISimd<Vector512<float>>, IGemmBlocking
{
    public static int Count => Vector512<float>.Count;

    public static int Mr => 8;

    public static int Kc => 256;

    public static int Mc => 256;

    public static bool StreamsWeights => true;

    public static Vector512<float> Create(float value) => Vector512.Create(value);

    public static Vector512<float> Load(float* source) => Vector512.Load(source);

    public static void Store(Vector512<float> value, float* destination) => value.Store(destination);

    public static Vector512<float> Add(Vector512<float> left, Vector512<float> right) => left + right;

    public static Vector512<float> Subtract(Vector512<float> left, Vector512<float> right) => left - right;

    public static Vector512<float> Multiply(Vector512<float> left, Vector512<float> right) => left * right;

    public static Vector512<float> Divide(Vector512<float> left, Vector512<float> right) => left / right;

    public static Vector512<float> MultiplyAdd(Vector512<float> left, Vector512<float> right, Vector512<float> addend) =>
        Vector512.FusedMultiplyAdd(left, right, addend);

    public static Vector512<float> Min(Vector512<float> left, Vector512<float> right) => Vector512.MinNative(left, right);

    public static Vector512<float> Max(Vector512<float> left, Vector512<float> right) => Vector512.MaxNative(left, right);

    public static Vector512<float> Abs(Vector512<float> value) => Vector512.Abs(value);

    /// <summary>vreduceps with the rounding mode down (imm8 bits 1:0 = 01, bit 3 suppressing the precision exception).</summary>
    public static Vector512<float> Pow2Split(Vector512<float> x, out Vector512<float> exponent)
    {
        exponent = x;
        return Avx512DQ.Reduce(x, 0b1001);
    }

    public static Vector512<float> ScaleByPow2(Vector512<float> value, Vector512<float> n) => Avx512F.Scale(value, n);

    public static Vector512<float> Gather(float* source, int* indices) =>
        Vector512.Create(Simd256.Gather(source, indices), Simd256.Gather(source, indices + Vector256<float>.Count));

    public static Vector512<float> Permute(Vector512<float> low, Vector512<float> high, int* indices) =>
        Avx512F.PermuteVar16x32x2(low, Vector512.Load(indices), high);

    public static float Sum(Vector512<float> value) => Vector512.Sum(value);

    /// <summary>Halves folded until one lane is left.</summary>
    public static float MaxAcross(Vector512<float> value) => Simd256.MaxAcross(Vector256.MaxNative(value.GetLower(), value.GetUpper()));

    public static Vector512<float> ClearFirst(Vector512<float> value, int lanes) =>
        value & Vector512.LoadUnsafe(ref LaneMask.Start, (nuint)(LaneMask.Lanes - lanes)).AsSingle();
}

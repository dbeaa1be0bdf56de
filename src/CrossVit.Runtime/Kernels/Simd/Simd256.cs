using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace CrossVit.Runtime.Kernels.Simd;

/// <summary>Vector256&lt;float&gt; operations and GEMM blocking: the <see cref="Isa.Avx2"/> path.</summary>
internal readonly unsafe struct Simd256 : ISimd<Vector256<float>>, IGemmBlocking
{
    public static int Count => Vector256<float>.Count;

    public static int Mr => 6;

    public static int Kc => 256;

    public static int Mc => 252;

    public static bool StreamsWeights => false;

    public static Vector256<float> Create(float value) => Vector256.Create(value);

    public static Vector256<float> Load(float* source) => Vector256.Load(source);

    public static void Store(Vector256<float> value, float* destination) => value.Store(destination);

    public static Vector256<float> Add(Vector256<float> left, Vector256<float> right) => left + right;

    public static Vector256<float> Subtract(Vector256<float> left, Vector256<float> right) => left - right;

    public static Vector256<float> Multiply(Vector256<float> left, Vector256<float> right) => left * right;

    public static Vector256<float> Divide(Vector256<float> left, Vector256<float> right) => left / right;

    public static Vector256<float> MultiplyAdd(Vector256<float> left, Vector256<float> right, Vector256<float> addend) =>
        Vector256.FusedMultiplyAdd(left, right, addend);

    public static Vector256<float> Min(Vector256<float> left, Vector256<float> right) => Vector256.MinNative(left, right);

    public static Vector256<float> Max(Vector256<float> left, Vector256<float> right) => Vector256.MaxNative(left, right);

    public static Vector256<float> Abs(Vector256<float> value) => Vector256.Abs(value);

    public static Vector256<float> Pow2Split(Vector256<float> x, out Vector256<float> exponent)
    {
        exponent = Vector256.Floor(x);
        return x - exponent;
    }

    public static Vector256<float> ScaleByPow2(Vector256<float> value, Vector256<float> n) =>
        value * Vector256.ShiftLeft((Vector256.Min(n, Vector256.Create(128f)) + Vector256.Create(ExpOperator.RoundingShift + 127f)).AsInt32(), 23).AsSingle();

    public static Vector256<float> Gather(float* source, int* indices) => Avx2.GatherVector256(source, Vector256.Load(indices), sizeof(float));

    public static Vector256<float> Permute(Vector256<float> low, Vector256<float> high, int* indices)
    {
        var index = Vector256.Load(indices);
        var fromLow = Avx2.PermuteVar8x32(low, index);
        var fromHigh = Avx2.PermuteVar8x32(high, index);
        return Vector256.ConditionalSelect(Vector256.GreaterThan(index, Vector256.Create(Count - 1)).AsSingle(), fromHigh, fromLow);
    }

    public static float Sum(Vector256<float> value) => Vector256.Sum(value);

    /// <summary>Halves folded until one lane is left.</summary>
    public static float MaxAcross(Vector256<float> value) => Simd128.MaxAcross(Vector128.MaxNative(value.GetLower(), value.GetUpper()));

    public static Vector256<float> ClearFirst(Vector256<float> value, int lanes) =>
        value & Vector256.LoadUnsafe(ref LaneMask.Start, (nuint)(LaneMask.Lanes - lanes)).AsSingle();
}

using System.Runtime.Intrinsics;

namespace CrossVit.Runtime.Kernels.Simd;

/// <summary>Vector128&lt;float&gt; operations and GEMM blocking: the <see cref="Isa.V128"/> path.</summary>
internal readonly unsafe struct Simd128 : ISimd<Vector128<float>>, IGemmBlocking
{
    public static int Count => Vector128<float>.Count;

    public static int Mr => 6;

    public static int Kc => 256;

    public static int Mc => 72;

    public static bool StreamsWeights => false;

    public static Vector128<float> Create(float value) => Vector128.Create(value);

    public static Vector128<float> Load(float* source) => Vector128.Load(source);

    public static void Store(Vector128<float> value, float* destination) => value.Store(destination);

    public static Vector128<float> Add(Vector128<float> left, Vector128<float> right) => left + right;

    public static Vector128<float> Subtract(Vector128<float> left, Vector128<float> right) => left - right;

    public static Vector128<float> Multiply(Vector128<float> left, Vector128<float> right) => left * right;

    public static Vector128<float> Divide(Vector128<float> left, Vector128<float> right) => left / right;

    public static Vector128<float> MultiplyAdd(Vector128<float> left, Vector128<float> right, Vector128<float> addend) =>
        Vector128.FusedMultiplyAdd(left, right, addend);

    public static Vector128<float> Min(Vector128<float> left, Vector128<float> right) => Vector128.MinNative(left, right);

    public static Vector128<float> Max(Vector128<float> left, Vector128<float> right) => Vector128.MaxNative(left, right);

    public static Vector128<float> Abs(Vector128<float> value) => Vector128.Abs(value);

    public static Vector128<float> Pow2Split(Vector128<float> x, out Vector128<float> exponent)
    {
        exponent = Vector128.Floor(x);
        return x - exponent;
    }

    public static Vector128<float> ScaleByPow2(Vector128<float> value, Vector128<float> n) =>
        value * Vector128.ShiftLeft((Vector128.Min(n, Vector128.Create(128f)) + Vector128.Create(ExpOperator.RoundingShift + 127f)).AsInt32(), 23).AsSingle();

    public static Vector128<float> Gather(float* source, int* indices) =>
        Vector128.Create(source[indices[0]], source[indices[1]], source[indices[2]], source[indices[3]]);

    public static Vector128<float> Permute(Vector128<float> low, Vector128<float> high, int* indices)
    {
        var index = Vector128.Load(indices);
        return Vector128.Shuffle(low, index) | Vector128.Shuffle(high, index - Vector128.Create(Count));
    }

    public static float Sum(Vector128<float> value) => Vector128.Sum(value);

    /// <summary>Halves folded until one lane is left.</summary>
    public static float MaxAcross(Vector128<float> value)
    {
        value = Vector128.MaxNative(value, Vector128.Shuffle(value, Vector128.Create(2, 3, 0, 1)));
        return MathF.Max(value.GetElement(0), value.GetElement(1));
    }

    public static Vector128<float> ClearFirst(Vector128<float> value, int lanes) =>
        value & Vector128.LoadUnsafe(ref LaneMask.Start, (nuint)(LaneMask.Lanes - lanes)).AsSingle();
}

using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.Arm;

namespace CrossVit.Runtime.Kernels.Simd;

/// <summary>
/// Vector128&lt;float&gt; operations and GEMM blocking on arm64: the <see cref="Isa.Neon"/> path. The arithmetic is
/// <see cref="Simd128"/>'s (the portable API compiles to the NEON instruction already); NEON's own instructions replace
/// what the portable API spells in several: the gather and the across-vector maximum here, and the GEMM's multiply-add
/// by element (<see cref="Gemm.NeonMicroKernel"/>, chosen for this struct by <see cref="Gemm.GemmDriver{TSimd, TVec}"/>).
/// </summary>
internal readonly unsafe struct SimdNeon : ISimd<Vector128<float>>, IGemmBlocking
{
    public static int Count => Vector128<float>.Count;

    /// <summary>
    /// 8 rows: 16 accumulators, 8 vectors of A (four k steps each) and 2 of B take 26 of arm64's 32 vector registers,
    /// where x64's 16 limit the 128-bit path to 6.
    /// </summary>
    public static int Mr => 8;

    public static int Kc => 256;

    public static int Mc => 72;

    public static bool StreamsWeights => false;

    public static Vector128<float> Create(float value) => Simd128.Create(value);

    public static Vector128<float> Load(float* source) => Simd128.Load(source);

    public static void Store(Vector128<float> value, float* destination) => Simd128.Store(value, destination);

    public static Vector128<float> Add(Vector128<float> left, Vector128<float> right) => Simd128.Add(left, right);

    public static Vector128<float> Subtract(Vector128<float> left, Vector128<float> right) => Simd128.Subtract(left, right);

    public static Vector128<float> Multiply(Vector128<float> left, Vector128<float> right) => Simd128.Multiply(left, right);

    public static Vector128<float> Divide(Vector128<float> left, Vector128<float> right) => Simd128.Divide(left, right);

    public static Vector128<float> MultiplyAdd(Vector128<float> left, Vector128<float> right, Vector128<float> addend) =>
        Simd128.MultiplyAdd(left, right, addend);

    public static Vector128<float> Min(Vector128<float> left, Vector128<float> right) => Simd128.Min(left, right);

    public static Vector128<float> Max(Vector128<float> left, Vector128<float> right) => Simd128.Max(left, right);

    public static Vector128<float> Abs(Vector128<float> value) => Simd128.Abs(value);

    public static Vector128<float> Pow2Split(Vector128<float> x, out Vector128<float> exponent) => Simd128.Pow2Split(x, out exponent);

    public static Vector128<float> ScaleByPow2(Vector128<float> value, Vector128<float> n) => Simd128.ScaleByPow2(value, n);

    /// <summary>Lane loads (LD1 {v.s}[i]): each element goes from memory into its lane, not through a general register.</summary>
    public static Vector128<float> Gather(float* source, int* indices)
    {
        var v = AdvSimd.LoadAndInsertScalar(Vector128<float>.Zero, 0, source + indices[0]);
        v = AdvSimd.LoadAndInsertScalar(v, 1, source + indices[1]);
        v = AdvSimd.LoadAndInsertScalar(v, 2, source + indices[2]);
        return AdvSimd.LoadAndInsertScalar(v, 3, source + indices[3]);
    }

    public static Vector128<float> Permute(Vector128<float> low, Vector128<float> high, int* indices) => Simd128.Permute(low, high, indices);

    public static float Sum(Vector128<float> value) => Simd128.Sum(value);

    /// <summary>One FMAXV instead of the portable API's shuffle, maximum and lane extraction.</summary>
    public static float MaxAcross(Vector128<float> value) => AdvSimd.Arm64.MaxAcross(value).ToScalar();

    public static Vector128<float> ClearFirst(Vector128<float> value, int lanes) => Simd128.ClearFirst(value, lanes);
}

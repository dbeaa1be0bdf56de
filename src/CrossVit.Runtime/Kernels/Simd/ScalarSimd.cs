namespace CrossVit.Runtime.Kernels.Simd;

/// <summary>One-lane "vector": the <see cref="Isa.Scalar"/> path and the remainder loops of the wider ones.</summary>
internal readonly unsafe struct ScalarSimd : ISimd<float>, IGemmBlocking
{
    public static int Count => 1;

    public static int Mr => 4;

    public static int Kc => 256;

    public static int Mc => 64;

    public static bool StreamsWeights => false;

    public static float Create(float value) => value;

    public static float Load(float* source) => *source;

    public static void Store(float value, float* destination) => *destination = value;

    public static float Add(float left, float right) => left + right;

    public static float Subtract(float left, float right) => left - right;

    public static float Multiply(float left, float right) => left * right;

    public static float Divide(float left, float right) => left / right;

    public static float MultiplyAdd(float left, float right, float addend) => MathF.FusedMultiplyAdd(left, right, addend);

    public static float Min(float left, float right) => MathF.Min(left, right);

    public static float Max(float left, float right) => MathF.Max(left, right);

    public static float Abs(float value) => MathF.Abs(value);

    public static float Pow2Split(float x, out float exponent)
    {
        exponent = MathF.Floor(x);
        return x - exponent;
    }

    public static float ScaleByPow2(float value, float n) =>
        value * BitConverter.Int32BitsToSingle(BitConverter.SingleToInt32Bits(MathF.Min(n, 128f) + (ExpOperator.RoundingShift + 127f)) << 23);

    public static float Gather(float* source, int* indices) => source[*indices];

    public static float Permute(float low, float high, int* indices) => *indices == 0 ? low : high;

    public static float Sum(float value) => value;

    public static float MaxAcross(float value) => value;

    public static float ClearFirst(float value, int lanes) => lanes == 0 ? value : 0f;
}

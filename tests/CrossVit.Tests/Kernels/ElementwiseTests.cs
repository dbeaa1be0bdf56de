using CrossVit.Runtime.Kernels;
using CrossVit.Runtime.Kernels.Simd;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Xunit;
using static CrossVit.Tests.Kernels.KernelTestSupport;

namespace CrossVit.Tests.Kernels;

public class ElementwiseTests
{
    public static TheoryData<Isa> Isas => SupportedIsas();

    private static readonly Gen<(int Length, float Scale, bool InPlace, int Seed)> Vectors =
        from length in Dim(300, 4, 8, 16, 32, 64, 128, 256)
        from scale in Gen.Elements(0.5f, 4f, 12f, 40f, 1e4f)
        from inPlace in Gen.Elements(true, false)
        from seed in Seed
        select (length, scale, inPlace, seed);

    [Theory]
    [MemberData(nameof(Isas))]
    public void GeluAbsoluteErrorAtMost1e6AndNearlyCorrectlyRoundedOnADenseGrid(Isa isa)
    {
        var kernels = KernelSet.Create(isa);
        // Every float step of 2^-12 in [-20, 20], plus the extremes and specials.
        var x = Enumerable.Range(-20 * 4096, (40 * 4096) + 1).Select(i => i / 4096f)
            .Concat([1e-30f, -1e-30f, 1e-8f, -1e-8f, 100f, -100f, 1e4f, -1e4f, 3e38f, -3e38f]).ToArray();
        var y = new float[x.Length];
        kernels.Gelu(x, y);
        for (var i = 0; i < x.Length; i++)
        {
            var want = ReferenceKernels.Gelu(x[i]);
            var error = Math.Abs(y[i] - want);
            Assert.True(error <= 1e-6, $"{isa}: gelu({x[i]}) = {y[i]}, want {want}");
            // Rounding the exact value to float alone costs up to half an ulp; the kernel may add 9e-8 to that (every
            // x below −5.6 gets the fitted h(5.6) ≈ 8.8e-8, where the exact value is smaller still).
            var magnitude = MathF.Abs((float)want);
            Assert.True(error <= (0.5 * (MathF.BitIncrement(magnitude) - magnitude)) + 9e-8, $"{isa}: gelu({x[i]}) = {y[i]} is {error:E2} from {want}, more than ½ ulp + 9e-8");
        }
    }

    [Theory]
    [MemberData(nameof(Isas))]
    public void GeluKeepsNaNAndInfinity(Isa isa)
    {
        var kernels = KernelSet.Create(isa);
        // A whole vector of each, so every ISA's vector body sees them, then the same values in the scalar tail.
        var x = Enumerable.Repeat(float.NaN, 16).Concat(Enumerable.Repeat(float.PositiveInfinity, 16)).Concat(Enumerable.Repeat(float.NegativeInfinity, 16))
            .Concat([float.NaN, float.PositiveInfinity, float.NegativeInfinity]).ToArray();
        var y = new float[x.Length];
        kernels.Gelu(x, y);
        for (var i = 0; i < x.Length; i++)
        {
            var ok = float.IsNaN(x[i]) ? float.IsNaN(y[i]) : float.IsPositiveInfinity(x[i]) ? float.IsPositiveInfinity(y[i]) : Math.Abs(y[i]) <= 1e-6;
            Assert.True(ok, $"{isa}: gelu({x[i]}) = {y[i]} at {i}, want NaN for NaN, +∞ for +∞ and 0 within 1e-6 for −∞");
        }
    }

    /// <summary>
    /// A NaN stays NaN through eˣ, 2ˣ and ReLU, in every lane and in a ragged end: their clamps are a max, and x86's
    /// returns its second operand when either is NaN.
    /// </summary>
    [Theory]
    [MemberData(nameof(Isas))]
    public void ExpExp2AndReluKeepNaN(Isa isa)
    {
        var x = Enumerable.Repeat(float.NaN, 19).ToArray();
        Assert.True(Map<ExpOperator>(isa, x).All(float.IsNaN), $"{isa}: exp(NaN) is not NaN everywhere");
        Assert.True(Map<Exp2Operator>(isa, x).All(float.IsNaN), $"{isa}: exp2(NaN) is not NaN everywhere");
        Assert.True(Map<ReluOperator>(isa, x).All(float.IsNaN), $"{isa}: relu(NaN) is not NaN everywhere");
    }

    [Property(MaxTest = Cases)]
    public Property GeluEveryLengthAndAliasing() =>
        OnEveryIsa(Vectors, (kernels, c) =>
        {
            var x = RandomArray(new Random(c.Seed), c.Length, c.Scale);
            var y = c.InPlace ? (float[])x.Clone() : new float[c.Length];
            kernels.Gelu(c.InPlace ? y : x, y);
            for (var i = 0; i < x.Length; i++)
            {
                var want = ReferenceKernels.Gelu(x[i]);
                Assert.True(Math.Abs(y[i] - want) <= 1e-6 * Math.Max(1, Math.Abs(want) / 8), $"{c}: gelu({x[i]}) = {y[i]}, want {want}");
            }
        });

    [Theory]
    [MemberData(nameof(Isas))]
    public void ExpRelativeErrorAtMost2e7(Isa isa) => AssertRelativeErrorAtMost2e7OnAGrid<ExpOperator>(isa, -87, 175, Math.Exp, "exp");

    /// <summary>Attention's exponential: every step of 2⁻¹⁰ over the exponents it covers, then its clamp and overflow.</summary>
    [Theory]
    [MemberData(nameof(Isas))]
    public void Exp2RelativeErrorAtMost2e7ClampedBelowAndInfiniteAbove(Isa isa)
    {
        AssertRelativeErrorAtMost2e7OnAGrid<Exp2Operator>(isa, -126, 253, x => Math.Pow(2, x), "exp2");

        // Repeated so that every lane of the widest vector meets each value.
        var beyond = Enumerable.Repeat<float[]>([-127f, -1e6f, float.NegativeInfinity, 128f, 200f, 1e6f], 6).SelectMany(v => v).ToArray();
        var clamped = MathF.Pow(2, -126);
        Assert.Equal(beyond.Select(v => v < 0 ? clamped : float.PositiveInfinity), Map<Exp2Operator>(isa, beyond));
    }

    /// <summary>Every step of 2⁻¹⁰ over [<paramref name="from"/>, <paramref name="from"/> + <paramref name="span"/>].</summary>
    private static void AssertRelativeErrorAtMost2e7OnAGrid<TOp>(Isa isa, int from, int span, Func<double, double> exact, string name)
        where TOp : IUnaryOperator
    {
        var x = Enumerable.Range(0, (span * 1024) + 1).Select(i => from + (i / 1024f)).ToArray();
        var y = Map<TOp>(isa, x);
        for (var i = 0; i < x.Length; i++)
        {
            var want = exact(x[i]);
            Assert.True(Math.Abs(y[i] - want) <= 2e-7 * want, $"{isa}: {name}({x[i]}) = {y[i]}, want {want}");
        }
    }

    private static unsafe float[] Map<TOp>(Isa isa, float[] x)
        where TOp : IUnaryOperator
    {
        var y = new float[x.Length];
        fixed (float* px = x)
        fixed (float* py = y)
        {
            OnSimdOf(isa, new Mapped<TOp>(px, py, x.Length));
        }

        return y;
    }

    /// <summary>y = op(x) through <see cref="Elementwise.Map"/> at one width.</summary>
    private readonly unsafe struct Mapped<TOp>(float* x, float* y, int length) : ISimdCheck
        where TOp : IUnaryOperator
    {
        public void Run<TSimd, TVec>()
            where TSimd : ISimd<TVec>
            where TVec : struct => Elementwise.Map<TOp, TSimd, TVec>(x, y, length);
    }

    [Property(MaxTest = Cases)]
    public Property SoftmaxMatchesDoubleReference() =>
        OnEveryIsa(Vectors, (kernels, c) =>
        {
            var row = RandomArray(new Random(c.Seed), c.Length, Math.Min(c.Scale, 60f));
            var want = ReferenceKernels.Softmax(row, 1);
            var max = row.Max();
            var input = (float[])row.Clone();
            kernels.Softmax(row);
            for (var i = 0; i < row.Length; i++)
            {
                // Beyond ~1e-6 relative, float cannot do better: x − max itself rounds by up to ½ ulp of |x − max|.
                var tolerance = want[i] * (2e-6 + (1.2e-7 * Math.Abs(input[i] - max)));
                Assert.True(Math.Abs(row[i] - want[i]) <= tolerance + 1e-37, $"{c}: [{i}] = {row[i]}, want {want[i]}");
            }
        });

    /// <summary>As torch computes it: a row holding a NaN or +∞, wherever it sits, or only −∞, comes out all NaN.</summary>
    [Theory]
    [MemberData(nameof(Isas))]
    public void SoftmaxOfARowWithNaNOrInfinityIsNaN(Isa isa)
    {
        var kernels = KernelSet.Create(isa);
        foreach (var n in new[] { 1, 7, 16, 37 })
        {
            foreach (var bad in new[] { float.NaN, float.PositiveInfinity })
            {
                for (var at = 0; at < n; at++)
                {
                    var row = Enumerable.Range(0, n).Select(i => 0.1f * i).ToArray();
                    row[at] = bad;
                    kernels.Softmax(row);
                    Assert.True(row.All(float.IsNaN), $"{isa}: softmax of {n} values with {bad} at {at} gave [{string.Join(", ", row)}]");
                }
            }

            var masked = Enumerable.Repeat(float.NegativeInfinity, n).ToArray();
            kernels.Softmax(masked);
            Assert.True(masked.All(float.IsNaN), $"{isa}: softmax of {n} times −∞ gave [{string.Join(", ", masked)}]");
        }
    }

    [Theory]
    [MemberData(nameof(Isas))]
    public void SoftmaxOfConstantRowIsUniform(Isa isa)
    {
        var row = Enumerable.Repeat(3.5f, 37).ToArray();
        KernelSet.Create(isa).Softmax(row);
        Assert.All(row, v => Assert.Equal(1f / 37, v, 1e-7f));
    }
}

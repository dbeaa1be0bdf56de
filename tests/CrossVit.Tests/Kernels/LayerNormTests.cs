using CrossVit.Runtime.Kernels;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Xunit;
using static CrossVit.Tests.Kernels.KernelTestSupport;

namespace CrossVit.Tests.Kernels;

public class LayerNormTests
{
    public static TheoryData<Isa> Isas => SupportedIsas();

    private static readonly Gen<(int Rows, int Dim, float Offset, bool InPlace, int Seed)> Shapes =
        from rows in Gen.Choose(1, 5)
        from dim in Dim(400, 4, 8, 16, 32, 64, 128, 192, 256, 384)
        from offset in Gen.Elements(0f, 3f, -100f)
        from inPlace in Gen.Elements(true, false)
        from seed in Seed
        select (rows, dim, offset, inPlace, seed);

    [Property(MaxTest = Cases)]
    public Property LayerNormMatchesDoubleReference() => OnEveryIsa(Shapes, AssertMatchesReference);

    /// <summary>A case FsCheck found: a row 2.077, 2.069 (mean 2.07, spread 0.007), where the float32 mean's rounding is amplified ~540 times.</summary>
    [Theory]
    [MemberData(nameof(Isas))]
    public void NearlyEqualValuesAreBoundedByTheirConditioning(Isa isa) =>
        AssertMatchesReference(KernelSet.Create(isa), (2, 2, 3f, false, 1108886294));

    /// <summary>
    /// Rows whose mean is exactly 0 (integers that sum to 0, so every partial sum is exact) are normalised by their
    /// variance like any other; a grouped path puts rows of several kinds side by side (4 rows, then 1).
    /// </summary>
    [Theory]
    [MemberData(nameof(Isas))]
    public void ARowWithAMeanOfExactlyZeroIsNormalisedByItsVariance(Isa isa)
    {
        var kernels = KernelSet.Create(isa);
        var random = new Random(5);
        foreach (var dim in new[] { 4, 16, 128, 200 })
        {
            const int rows = 5;
            var x = new float[rows * dim];
            for (var r = 0; r < rows; r++)
            {
                for (var i = 0; i < dim - 1; i++)
                {
                    x[(r * dim) + i] = random.Next(-8, 9);
                }

                // Every other row is centred by its last value; the rest keep a non-zero mean.
                x[(r * dim) + dim - 1] = r % 2 == 0 ? -x.AsSpan(r * dim, dim - 1).ToArray().Sum() : 3f;
            }

            var gamma = RandomArray(random, dim, 1f, 1f);
            var beta = RandomArray(random, dim);
            var want = ReferenceKernels.LayerNorm(x, rows, dim, gamma, beta, 1e-6);
            var y = new float[x.Length];
            kernels.LayerNorm(x, rows, dim, gamma, beta, 1e-6f, y);
            for (var i = 0; i < want.Length; i++)
            {
                Assert.True(Math.Abs(y[i] - want[i]) <= 2e-5, $"{isa}, dim {dim}: [{i}] = {y[i]}, want {want[i]}");
            }
        }
    }

    private static void AssertMatchesReference(KernelSet kernels, (int Rows, int Dim, float Offset, bool InPlace, int Seed) c)
    {
        var random = new Random(c.Seed);
        var x = RandomArray(random, c.Rows * c.Dim, 2f, c.Offset);
        var gamma = RandomArray(random, c.Dim, 1f, 1f);
        var beta = RandomArray(random, c.Dim);
        var want = ReferenceKernels.LayerNorm(x, c.Rows, c.Dim, gamma, beta, 1e-6);
        // A float32 mean is off by a few ulps of |mean|, which normalising divides by the row's spread: a row whose
        // values nearly coincide (likely with 2 or 3 of them) is ill-conditioned, whatever the kernel.
        var conditioning = Enumerable.Range(0, c.Rows).Select(r =>
        {
            var row = x.AsSpan(r * c.Dim, c.Dim).ToArray().Select(v => (double)v).ToArray();
            var mean = row.Average();
            return Math.Abs(mean) / Math.Sqrt(row.Average(v => (v - mean) * (v - mean)) + 1e-6);
        }).ToArray();
        var y = c.InPlace ? x : new float[x.Length];
        kernels.LayerNorm(x, c.Rows, c.Dim, gamma, beta, 1e-6f, y);
        // The mean's rounding scales with |offset| relative to the spread (2), so allow for it.
        var tolerance = 2e-5 * (1 + (Math.Abs(c.Offset) / 2));
        for (var i = 0; i < want.Length; i++)
        {
            var bound = tolerance + (1e-6 * Math.Abs(gamma[i % c.Dim]) * conditioning[i / c.Dim]);
            Assert.True(Math.Abs(y[i] - want[i]) <= bound, $"{c}: [{i}] = {y[i]}, want {want[i]}");
        }
    }
}

using CrossVit.Runtime.Kernels;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Xunit;
using static CrossVit.Tests.Kernels.KernelTestSupport;

namespace CrossVit.Tests.Kernels;

public class AttentionTests
{
    private static readonly Gen<(int Tq, int Tk, int Heads, int HeadDim, int H0, int Hc, int Pad, int Seed)> Shapes =
        from tq in Dim(140, 1, 8, 64, 128)
        from tk in Dim(140, 1, 8, 16, 32, 64, 128)
        from heads in Gen.Choose(1, 4)
        from headDim in Dim(70, 8, 16, 32, 64)
        from h0 in Gen.Choose(0, heads - 1)
        from hc in Gen.Choose(1, heads - h0)
        from pad in Gen.Choose(0, 5)
        from seed in Seed
        select (tq, tk, heads, headDim, h0, hc, pad, seed);

    public static TheoryData<Isa> Isas => SupportedIsas();

    [Property(MaxTest = Cases)]
    public Property AttentionMatchesDoubleReference() =>
        OnEveryIsa(Shapes, (kernels, c) =>
        {
            var random = new Random(c.Seed);
            var width = c.Heads * c.HeadDim;
            var ld = width + c.Pad;
            // Fused qkv layout [T, 3C] when the token counts agree, separate tensors otherwise.
            var q = RandomArray(random, c.Tq * ld, 2f);
            var k = RandomArray(random, c.Tk * ld, 2f);
            var v = RandomArray(random, c.Tk * ld);
            var output = Enumerable.Repeat(float.NaN, c.Tq * ld).ToArray();
            var scale = 1f / MathF.Sqrt(c.HeadDim);
            kernels.Attention(q, ld, k, ld, v, ld, c.Tq, c.Tk, c.HeadDim, scale, output, ld, c.H0, c.Hc, new float[KernelSet.AttentionScratchSize(c.Tq, c.Tk)]);

            var want = ReferenceKernels.Attention(q, ld, k, ld, v, ld, c.Tq, c.Tk, c.HeadDim, scale, ld, c.H0, c.Hc);
            AssertHeads(output, want, c.Tq, ld, c.H0 * c.HeadDim, (c.H0 + c.Hc) * c.HeadDim, $"{c}");
        });

    /// <summary>Columns [first, end) of every row within 2e-5 of the reference; every other column still NaN (not written).</summary>
    private static void AssertHeads(float[] output, double[] want, int rows, int ld, int first, int end, string context)
    {
        for (var i = 0; i < rows; i++)
        {
            for (var col = 0; col < ld; col++)
            {
                var got = output[(i * ld) + col];
                if (col < first || col >= end)
                {
                    Assert.True(float.IsNaN(got), $"{context}: column {col} outside the computed heads was written");
                }
                else if (!(Math.Abs(got - want[(i * ld) + col]) <= 2e-5))
                {
                    Assert.Fail($"{context}: [{i},{col}] = {got}, want {want[(i * ld) + col]}");
                }
            }
        }
    }

    [Theory]
    [MemberData(nameof(Isas))]
    public void SelfAttentionFromFusedQkv(Isa isa)
    {
        var kernels = KernelSet.Create(isa);
        const int T = 37, C = 48, Heads = 3, D = C / Heads;
        var qkv = RandomArray(new Random(3), T * 3 * C);
        var output = new float[T * C];
        kernels.Attention(qkv, 3 * C, qkv.AsSpan(C), 3 * C, qkv.AsSpan(2 * C), 3 * C, T, T, D, 0.25f, output, C, 0, Heads, new float[KernelSet.AttentionScratchSize(T, T)]);
        var want = ReferenceKernels.Attention(qkv, 3 * C, qkv[C..], 3 * C, qkv[(2 * C)..], 3 * C, T, T, D, 0.25, C, 0, Heads);
        for (var i = 0; i < want.Length; i++)
        {
            Assert.True(Math.Abs(output[i] - want[i]) <= 2e-5, $"{i}: {output[i]} vs {want[i]}");
        }
    }

    /// <summary>
    /// Key 77 (past every ISA's first tile of keys) scores about 4·multiple·mean(q) above the rest (scale ¼, mean(q)
    /// in [0.5, 1.5], near 1): about 23, 92 and 185 in base 2 for the multiples below, so the fused path's
    /// exponentials stay in range, overflow 2¹²⁸ for some rows (which go again by the exact path), or for most.
    /// </summary>
    [Theory]
    [MemberData(nameof(IsasAndMultiples))]
    public void ARowScoringFarAboveItsFirstKeysMatchesTheReference(Isa isa, float multiple)
    {
        const int Tq = 20, Tk = 100, D = 16;
        var random = new Random(11);
        var q = RandomArray(random, Tq * D, 0.5f, 1f);
        var k = RandomArray(random, Tk * D);
        var v = RandomArray(random, Tk * D);
        Array.Fill(k, multiple, 77 * D, D);
        AssertOneHeadMatchesReference(isa, q, k, v, Tq, Tk, D, 2e-5, $"{isa}, multiple {multiple}");
    }

    public static TheoryData<Isa, float> IsasAndMultiples()
    {
        var data = new TheoryData<Isa, float>();
        foreach (var isa in SupportedIsas())
        {
            foreach (var multiple in new[] { 4f, 16f, 32f })
            {
                data.Add(isa, multiple);
            }
        }

        return data;
    }

    /// <summary>
    /// Overflow on the fused path that the exact one does not meet, with constant queries and zero keys but for
    /// <paramref name="keys"/> from key 33 scoring <paramref name="bits"/> (in base 2) above the rest. "sum": four keys
    /// 127.5 above, so the row sum (2^129.5) overflows though each term and the unnormalised output (values within ±0.2)
    /// are finite where 2^127.5 is (AVX-512; elsewhere the terms overflow). "output": one key 50 above and values of
    /// 1e30, so the unnormalised output (about 2⁵⁰ · 1e30) overflows though the row sum is in range.
    /// </summary>
    [Theory]
    [MemberData(nameof(IsasAndOverflows))]
    public void AnOverflowOnTheFusedPathMatchesTheReference(Isa isa, string overflow, float bits, int keys, float values)
    {
        const int Tq = 9, Tk = 40, D = 16;
        var q = Enumerable.Repeat(1f, Tq * D).ToArray();
        var k = new float[Tk * D];
        // Score 16 · c · ¼ = 4c = bits / log₂e.
        Array.Fill(k, bits / 4f / 1.442695f, 33 * D, keys * D);
        AssertOneHeadMatchesReference(isa, q, k, RandomArray(new Random(6), Tk * D, values), Tq, Tk, D, 1e-5 * values, $"{isa}, {overflow}");
    }

    public static TheoryData<Isa, string, float, int, float> IsasAndOverflows()
    {
        var data = new TheoryData<Isa, string, float, int, float>();
        foreach (var isa in SupportedIsas())
        {
            data.Add(isa, "sum", 127.5f, 4, 0.2f);
            data.Add(isa, "output", 50f, 1, 1e30f);
        }

        return data;
    }

    /// <summary>One head of width d, scale ¼, on <paramref name="isa"/>: every output within <paramref name="tolerance"/> of the double reference.</summary>
    private static void AssertOneHeadMatchesReference(Isa isa, float[] q, float[] k, float[] v, int tq, int tk, int d, double tolerance, string context)
    {
        var output = new float[tq * d];
        KernelSet.Create(isa).Attention(q, d, k, d, v, d, tq, tk, d, 0.25f, output, d, 0, 1, new float[KernelSet.AttentionScratchSize(tq, tk)]);
        var want = ReferenceKernels.Attention(q, d, k, d, v, d, tq, tk, d, 0.25, d, 0, 1);
        for (var i = 0; i < want.Length; i++)
        {
            Assert.True(Math.Abs(output[i] - want[i]) <= tolerance, $"{context}: [{i / d},{i % d}] = {output[i]}, want {want[i]}");
        }
    }

    /// <summary>
    /// As torch computes it: a NaN in one query makes that row's output NaN and leaves the others as they were, on the
    /// exact path (a few queries) and the fused one.
    /// </summary>
    [Theory]
    [MemberData(nameof(Isas))]
    public void ANaNInAQueryMakesItsRowNaNAndNoOther(Isa isa)
    {
        const int Tk = 40, D = 16;
        var kernels = KernelSet.Create(isa);
        var random = new Random(9);
        var k = RandomArray(random, Tk * D, 2f);
        var v = RandomArray(random, Tk * D);
        foreach (var (tq, bad) in new[] { (2, 1), (19, 9) })
        {
            var q = RandomArray(random, tq * D, 2f);
            var clean = new float[tq * D];
            kernels.Attention(q, D, k, D, v, D, tq, Tk, D, 0.25f, clean, D, 0, 1, new float[KernelSet.AttentionScratchSize(tq, Tk)]);
            q[(bad * D) + 3] = float.NaN;
            var output = new float[tq * D];
            kernels.Attention(q, D, k, D, v, D, tq, Tk, D, 0.25f, output, D, 0, 1, new float[KernelSet.AttentionScratchSize(tq, Tk)]);
            for (var i = 0; i < output.Length; i++)
            {
                var ok = i / D == bad ? float.IsNaN(output[i]) : output[i] == clean[i];
                Assert.True(ok, $"{isa}, {tq} queries, NaN in row {bad}: [{i / D},{i % D}] = {output[i]}, want {(i / D == bad ? "NaN" : clean[i])}");
            }
        }
    }

    /// <summary>Sizes out of range are named in an <see cref="ArgumentException"/>, before any workspace is sized from them.</summary>
    [Fact]
    public void AttentionWithNegativeSizesThrowsArgumentException()
    {
        var kernels = KernelSet.Create(Isa.Scalar);
        var error = Assert.Throws<ArgumentException>(() =>
            kernels.Attention(new float[20], 4, new float[4], 4, new float[4], 4, 5, -1, 4, 0.5f, new float[20], 4, 0, 1, new float[64]));
        Assert.Contains("tk -1", error.Message);
    }

    /// <summary>Workers split the queries anywhere: a row's result must not depend on the rows computed with it.</summary>
    [Theory]
    [MemberData(nameof(Isas))]
    public void ARowsResultDoesNotDependOnTheRowsComputedWithIt(Isa isa)
    {
        const int Tq = 37, Tk = 45, D = 24, First = 5;
        var kernels = KernelSet.Create(isa);
        var random = new Random(8);
        var q = RandomArray(random, Tq * D, 3f);
        var k = RandomArray(random, Tk * D, 3f);
        var v = RandomArray(random, Tk * D);
        var scratch = new float[KernelSet.AttentionScratchSize(Tq, Tk)];
        var whole = new float[Tq * D];
        kernels.Attention(q, D, k, D, v, D, Tq, Tk, D, 0.2f, whole, D, 0, 1, scratch);
        var parts = new float[Tq * D];
        kernels.Attention(q, D, k, D, v, D, First, Tk, D, 0.2f, parts, D, 0, 1, scratch);
        kernels.Attention(q.AsSpan(First * D), D, k, D, v, D, Tq - First, Tk, D, 0.2f, parts.AsSpan(First * D), D, 0, 1, scratch);
        Assert.Equal(whole, parts);
    }

    private static readonly Gen<(int Tokens, int Heads, int HeadDim, int H0, int Hc, bool Bias, int Seed)> ClsShapes =
        from tokens in Dim(420, 1, 2, 16, 197, 401)
        from heads in Gen.Choose(1, 4)
        from headDim in Dim(70, 8, 16, 32, 64)
        from h0 in Gen.Choose(0, heads - 1)
        from hc in Gen.Choose(1, heads - h0)
        from bias in Gen.Elements(true, false)
        from seed in Seed
        select (tokens, heads, headDim, h0, hc, bias, seed);

    /// <summary>The folded kernel against attention over explicit keys x·Wkᵀ + bk and values x·Wvᵀ + bv, in double.</summary>
    [Property(MaxTest = Cases)]
    public Property ClsAttentionMatchesAttentionOverProjectedTokens() =>
        OnEveryIsa(ClsShapes, (kernels, c) =>
        {
            var random = new Random(c.Seed);
            var dim = c.Heads * c.HeadDim;
            var weightScale = 1f / MathF.Sqrt(dim);
            var q = RandomArray(random, dim, 2f);
            var x = RandomArray(random, c.Tokens * dim, 2f);
            var wk = RandomArray(random, dim * dim, weightScale);
            var wv = RandomArray(random, dim * dim, weightScale);
            var bk = c.Bias ? RandomArray(random, dim) : new float[dim];
            var bv = c.Bias ? RandomArray(random, dim) : [];
            var output = Enumerable.Repeat(float.NaN, dim).ToArray();
            var scale = 1f / MathF.Sqrt(c.HeadDim);
            kernels.ClsAttention(q, x, c.Tokens, dim, wk, wv, bv, c.Heads, scale, output, c.H0, c.Hc, new float[KernelSet.ClsAttentionScratchSize(c.Tokens, dim)]);

            // Keys and values rounded to float (the reference attention takes floats): 6e-8 relative, far inside the bound.
            var keys = ReferenceKernels.Linear(x, c.Tokens, wk, dim, dim, bk, null).Value.Select(d => (float)d).ToArray();
            var values = ReferenceKernels.Linear(x, c.Tokens, wv, dim, dim, c.Bias ? bv : null, null).Value.Select(d => (float)d).ToArray();
            var want = ReferenceKernels.Attention(q, dim, keys, dim, values, dim, 1, c.Tokens, c.HeadDim, scale, dim, c.H0, c.Hc);
            AssertHeads(output, want, 1, dim, c.H0 * c.HeadDim, (c.H0 + c.Hc) * c.HeadDim, $"{c}");
        });
}

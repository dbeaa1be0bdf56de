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

using CrossVit.Runtime.Engine;
using CrossVit.Runtime.Kernels;
using CrossVit.Runtime.Threading;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Xunit;
using static CrossVit.Tests.Kernels.KernelTestSupport;

namespace CrossVit.Tests.Engine;

/// <summary>
/// Each operation split across workers gives exactly (bit for bit) what the kernel computes on one thread, for
/// shapes that split unevenly: row bands, weight panels, (image, head) pairs and chunks of query rows.
/// </summary>
public sealed class ParallelKernelsTests : IDisposable
{
    private const int Cases = 60;

    private static readonly KernelSet Kernels = KernelSet.Create(IsaSupport.Best);

    private readonly WorkerPool[] _pools = [new WorkerPool(2), new WorkerPool(3), new WorkerPool(5)];

    public void Dispose()
    {
        foreach (var pool in _pools) pool.Dispose();
    }

    [Property(MaxTest = Cases)]
    public Property LinearMatchesOneThread()
    {
        var shapes =
            from rows in Dim(100, 1, 8, 16, 24)
            from k in Dim(130, 32, 64, 128)
            from n in Dim(130, 32, 64, 128)
            from epilogue in Gen.Elements(Epilogue.None, Epilogue.Gelu, Epilogue.Accumulate)
            from seed in Seed
            select (Rows: rows, K: k, N: n, Epilogue: epilogue, Seed: seed);
        return Prop.ForAll(shapes.ToArbitrary(), c =>
        {
            var random = new Random(c.Seed);
            var x = RandomArray(random, c.Rows * c.K);
            var weight = Kernels.PackLinear(RandomArray(random, c.N * c.K), c.N, c.K);
            var bias = RandomArray(random, c.N);
            var start = RandomArray(random, c.Rows * c.N);
            var want = (float[])start.Clone();
            Kernels.Linear(x, c.Rows, weight, bias, want, c.Epilogue);
            ForEachPool((k, threads) =>
            {
                var got = (float[])start.Clone();
                k.Linear(x, c.Rows, weight, bias, got, c.Epilogue);
                Assert.True(want.AsSpan().SequenceEqual(got), $"{threads} threads, {c}");
            });
        });
    }

    /// <summary>At batch 1, small weights whose panels divide evenly among the workers are split by panels too; 8 panels do not divide among 3 or 5.</summary>
    [Theory]
    [InlineData(Epilogue.None)]
    [InlineData(Epilogue.Gelu)]
    [InlineData(Epilogue.Accumulate)]
    public void EvenPanelsAtBatchOneSplitByPanelsMatchOneThread(Epilogue epilogue)
    {
        const int Rows = 197, K = 67;
        int width = Kernels.PackLinear(new float[K], 1, K).PanelWidth, n = 8 * width;
        Assert.False(ParallelKernels.SplitsByPanels(Rows, (long)K * n, Kernels.RowTile, Kernels.BlockRows, 2), "the rows go round and the weights are small");
        Assert.True(ParallelKernels.SharesPanelsEvenly(Rows, n, width, Kernels.BlockRows, 2), "8 panels divide among 2 workers");
        Assert.False(ParallelKernels.SharesPanelsEvenly(Rows, n, width, Kernels.BlockRows, 3), "8 panels do not divide among 3 workers");
        Assert.False(ParallelKernels.SharesPanelsEvenly(8L * Kernels.BlockRows, n, width, Kernels.BlockRows, 2), "a batch's bands hold several M blocks");
        AssertLinearMatchesOneThread(new Random(11), Rows, K, n, epilogue);
    }

    /// <summary>Weights past <see cref="ParallelKernels.MaxRowSplitWeights"/> are split by panels even when the rows go round.</summary>
    [Theory]
    [InlineData(Epilogue.None)]
    [InlineData(Epilogue.Gelu)]
    [InlineData(Epilogue.Accumulate)]
    public void LargeWeightsSplitByPanelsMatchOneThread(Epilogue epilogue)
    {
        const int Rows = 61, K = 513, N = 530;
        Assert.True(ParallelKernels.SplitsByPanels(Rows, (long)K * N, Kernels.RowTile, Kernels.BlockRows, 2), "the shape must take the panel split");
        AssertLinearMatchesOneThread(new Random(7), Rows, K, N, epilogue);
    }

    /// <summary>
    /// A convolution whose weights pass <see cref="ParallelKernels.MaxRowSplitWeights"/> at one M block a worker (the large
    /// branch's last stem convolution) is split by panels, 15 of them unevenly, each worker building every pixel's im2col.
    /// </summary>
    [Theory]
    [InlineData(Epilogue.Relu)]
    [InlineData(Epilogue.Accumulate)]
    public void LargeConvolutionWeightsSplitByPanelsMatchOneThread(Epilogue epilogue)
    {
        const int Size = 15, Channels = 256, Stride = 2, Pad = 1;
        var random = new Random(5);
        var image = RandomArray(random, Size * Size * Channels);
        int width = Kernels.Impl.PanelWidth, cout = 15 * width;
        var conv = Kernels.PackConv(RandomArray(random, cout * Channels * 9), cout, Channels, 3, 3);
        var bias = RandomArray(random, cout);
        var (outH, outW) = KernelSet.ConvOutputSize(Size, Size, 3, 3, Stride, Pad);
        Assert.True(ParallelKernels.ConvSplitsByPanels(outH * outW, cout, Channels * 9, width, Kernels.RowTile, Kernels.BlockRows, 5), "the shape must take the panel split");
        Assert.False(ParallelKernels.ConvSplitsByPanels(outH * outW, cout, Channels * 9, width, Kernels.RowTile, Kernels.BlockRows, 16), "15 panels do not go round 16 workers");
        var start = RandomArray(random, outH * outW * cout);
        var want = (float[])start.Clone();
        Kernels.Conv2d(image, Size, Size, conv, Stride, Pad, bias, want, epilogue);
        ForEachPool((k, threads) =>
        {
            var got = (float[])start.Clone();
            k.Conv2d(image, Size, Size, conv, Stride, Pad, bias, got, epilogue);
            Assert.True(want.AsSpan().SequenceEqual(got), $"{threads} threads, {epilogue}");
        });
    }

    /// <summary>A Linear of random x [rows, k], weights [n, k] and bias, onto random y, on every pool, bit for bit as on one thread.</summary>
    private void AssertLinearMatchesOneThread(Random random, int rows, int k, int n, Epilogue epilogue)
    {
        var x = RandomArray(random, rows * k);
        var weight = Kernels.PackLinear(RandomArray(random, n * k), n, k);
        var bias = RandomArray(random, n);
        var start = RandomArray(random, rows * n);
        var want = (float[])start.Clone();
        Kernels.Linear(x, rows, weight, bias, want, epilogue);
        ForEachPool((kernels, threads) =>
        {
            var got = (float[])start.Clone();
            kernels.Linear(x, rows, weight, bias, got, epilogue);
            Assert.True(want.AsSpan().SequenceEqual(got), $"{threads} threads, {epilogue}");
        });
    }

    [Property(MaxTest = Cases)]
    public Property AttentionMatchesOneThread()
    {
        var shapes =
            from batch in Gen.Choose(1, 3)
            from heads in Gen.Choose(1, 6)
            from headDim in Gen.Elements(8, 16, 32)
            from tq in Dim(150, 16, 32, 64)
            from seed in Seed
            select (Batch: batch, Heads: heads, HeadDim: headDim, Tokens: tq, Seed: seed);
        return Prop.ForAll(shapes.ToArbitrary(), c =>
        {
            var random = new Random(c.Seed);
            int width = c.Heads * c.HeadDim, ld = 3 * width, stride = c.Tokens * ld, outStride = c.Tokens * width;
            var qkv = RandomArray(random, c.Batch * stride, 2f);
            var scale = 1f / MathF.Sqrt(c.HeadDim);
            var want = new float[c.Batch * outStride];
            var scratch = new float[KernelSet.AttentionScratchSize(c.Tokens, c.Tokens)];
            for (int b = 0; b < c.Batch; b++)
            {
                var item = qkv.AsSpan(b * stride, stride);
                Kernels.Attention(item, ld, item[width..], ld, item[(2 * width)..], ld, c.Tokens, c.Tokens, c.HeadDim, scale,
                    want.AsSpan(b * outStride, outStride), width, 0, c.Heads, scratch);
            }
            ForEachPool((k, threads) =>
            {
                var got = new float[want.Length];
                k.Attention(qkv, ld, stride, qkv.AsSpan(width), ld, qkv.AsSpan(2 * width), ld, stride,
                    c.Batch, c.Tokens, c.Tokens, c.Heads, c.HeadDim, scale, got, width, outStride);
                Assert.True(want.AsSpan().SequenceEqual(got), $"{threads} threads, {c}");
            });
        });
    }

    [Property(MaxTest = Cases)]
    public Property LayerNormAndConvolutionMatchOneThread()
    {
        var shapes =
            from rows in Dim(300, 8, 64, 197)
            from dim in Dim(70, 16, 32, 64)
            from size in Gen.Choose(8, 40)
            from channels in Gen.Choose(1, 12)
            from seed in Seed
            select (Rows: rows, Dim: dim, Size: size, Channels: channels, Seed: seed);
        return Prop.ForAll(shapes.ToArbitrary(), c =>
        {
            var random = new Random(c.Seed);
            var x = RandomArray(random, c.Rows * c.Dim, 3f, 1f);
            var gamma = RandomArray(random, c.Dim, 1f, 1f);
            var beta = RandomArray(random, c.Dim);
            var wantNorm = new float[x.Length];
            Kernels.LayerNorm(x, c.Rows, c.Dim, gamma, beta, 1e-6f, wantNorm);

            var image = RandomArray(random, c.Size * c.Size * c.Channels);
            var conv = Kernels.PackConv(RandomArray(random, 24 * c.Channels * 9), 24, c.Channels, 3, 3);
            var convBias = RandomArray(random, 24);
            var (outH, outW) = KernelSet.ConvOutputSize(c.Size, c.Size, 3, 3, 2, 1);
            var wantConv = new float[outH * outW * 24];
            Kernels.Conv2d(image, c.Size, c.Size, conv, 2, 1, convBias, wantConv, Epilogue.Relu);
            ForEachPool((k, threads) =>
            {
                var gotNorm = new float[x.Length];
                k.LayerNorm(x, c.Rows, c.Dim, gamma, beta, 1e-6f, gotNorm);
                Assert.True(wantNorm.AsSpan().SequenceEqual(gotNorm), $"LayerNorm, {threads} threads, {c}");
                var gotConv = new float[wantConv.Length];
                k.Conv2d(image, c.Size, c.Size, conv, 2, 1, convBias, gotConv, Epilogue.Relu);
                Assert.True(wantConv.AsSpan().SequenceEqual(gotConv), $"Conv2d, {threads} threads, {c}");
            });
        });
    }

    /// <summary>
    /// Two groups' GEMMs as one operation give, on any number of workers, exactly what two one-thread Linears give:
    /// both groups reading one x (a cut by outputs) or each its own (a cut by inputs), each with its epilogue.
    /// </summary>
    [Property(MaxTest = Cases)]
    public Property LinearGroupsMatchTwoOneThreadLinears()
    {
        var shapes =
            from rows in Dim(100, 1, 8, 16, 24)
            from k in Dim(130, 32, 64, 128)
            from n in Dim(130, 32, 64, 128)
            from sharedInput in Gen.Elements(true, false)
            from epilogue0 in Gen.Elements(Epilogue.None, Epilogue.Gelu, Epilogue.Accumulate)
            from epilogue1 in Gen.Elements(Epilogue.None, Epilogue.Gelu, Epilogue.Accumulate)
            from seed in Seed
            select (Rows: rows, K: k, N: n, SharedInput: sharedInput, Epilogue0: epilogue0, Epilogue1: epilogue1, Seed: seed);
        return Prop.ForAll(shapes.ToArbitrary(), c =>
        {
            var random = new Random(c.Seed);
            var x0 = RandomArray(random, c.Rows * c.K);
            var x1 = c.SharedInput ? x0 : RandomArray(random, c.Rows * c.K);
            var weight0 = Kernels.PackLinear(RandomArray(random, c.N * c.K), c.N, c.K);
            var weight1 = Kernels.PackLinear(RandomArray(random, c.N * c.K), c.N, c.K);
            float[] bias0 = RandomArray(random, c.N), bias1 = RandomArray(random, c.N);
            float[] start0 = RandomArray(random, c.Rows * c.N), start1 = RandomArray(random, c.Rows * c.N);
            float[] want0 = (float[])start0.Clone(), want1 = (float[])start1.Clone();
            Kernels.Linear(x0, c.Rows, weight0, bias0, want0, c.Epilogue0);
            Kernels.Linear(x1, c.Rows, weight1, bias1, want1, c.Epilogue1);
            ForEachPool((k, threads) =>
            {
                float[] got0 = (float[])start0.Clone(), got1 = (float[])start1.Clone();
                k.LinearGroups(x0, x1, c.Rows, weight0, weight1, bias0, bias1, got0, got1, c.Epilogue0, c.Epilogue1);
                Assert.True(want0.AsSpan().SequenceEqual(got0) && want1.AsSpan().SequenceEqual(got1), $"{threads} threads, {c}");
            });
        });
    }

    /// <summary>
    /// Two groups cut by input features give, on one worker and on several, exactly what two one-thread Linears and the
    /// addition of group 1's product give, whether group 1's K fits one slice (256 deep on every ISA) or not. On one
    /// worker with one slice, group 1's GEMM adds its product itself and leaves the buffer for it untouched.
    /// </summary>
    [Property(MaxTest = Cases)]
    public Property AddLinearGroupsMatchTwoOneThreadLinearsAndTheirAddition()
    {
        var shapes =
            from rows in Dim(100, 1, 8, 16, 24)
            from k in Dim(600, 32, 128, 256, 384, 512)
            from n in Dim(130, 32, 64, 128)
            from seed in Seed
            select (Rows: rows, K: k, N: n, Seed: seed);
        return Prop.ForAll(shapes.ToArbitrary(), c =>
        {
            var random = new Random(c.Seed);
            float[] x0 = RandomArray(random, c.Rows * c.K), x1 = RandomArray(random, c.Rows * c.K);
            var weight0 = Kernels.PackLinear(RandomArray(random, c.N * c.K), c.N, c.K);
            var weight1 = Kernels.PackLinear(RandomArray(random, c.N * c.K), c.N, c.K);
            float[] bias = RandomArray(random, c.N), start = RandomArray(random, c.Rows * c.N);
            float[] want = (float[])start.Clone(), product = new float[want.Length];
            Kernels.Linear(x0, c.Rows, weight0, bias, want, Epilogue.Accumulate);
            Kernels.Linear(x1, c.Rows, weight1, [], product, Epilogue.None);
            Kernels.AddInPlace(want, product);

            float[] alone = (float[])start.Clone(), untouched = Enumerable.Repeat(float.NaN, want.Length).ToArray();
            new ParallelKernels(Kernels, new WorkerGroup(), new Workspace()).AddLinearGroups(x0, x1, c.Rows, weight0, weight1, bias, alone, untouched);
            Assert.True(want.AsSpan().SequenceEqual(alone), $"one worker, {c}");
            Assert.Equal(c.K <= 256, untouched.All(float.IsNaN));
            ForEachPool((k, threads) =>
            {
                var got = (float[])start.Clone();
                k.AddLinearGroups(x0, x1, c.Rows, weight0, weight1, bias, got, new float[want.Length]);
                Assert.True(want.AsSpan().SequenceEqual(got), $"{threads} threads, {c}");
            });
        });
    }

    [Property(MaxTest = Cases)]
    public Property AddInPlaceMatchesOneThread()
    {
        var shapes =
            from rows in Dim(300, 1, 8, 16, 197)
            from dim in Dim(400, 16, 96, 128, 256)
            from seed in Seed
            select (Rows: rows, Dim: dim, Seed: seed);
        return Prop.ForAll(shapes.ToArbitrary(), c =>
        {
            var random = new Random(c.Seed);
            var start = RandomArray(random, c.Rows * c.Dim);
            var y = RandomArray(random, c.Rows * c.Dim);
            var want = (float[])start.Clone();
            Kernels.AddInPlace(want, y);
            ForEachPool((k, threads) =>
            {
                var got = (float[])start.Clone();
                k.AddInPlace(got, y, c.Rows, c.Dim);
                Assert.True(want.AsSpan().SequenceEqual(got), $"{threads} threads, {c}");
            });
        });
    }

    [Fact]
    public void LinearGroupsRefuseWeightsOfTwoShapes()
    {
        var k = new ParallelKernels(Kernels, _pools[0], new Workspace());
        var weight0 = Kernels.PackLinear(new float[64 * 32], 64, 32);
        var weight1 = Kernels.PackLinear(new float[32 * 32], 32, 32);
        var x = new float[4 * 32];
        var e = Assert.Throws<ArgumentException>(() => k.LinearGroups(x, x, 4, weight0, weight1, [], [], new float[4 * 64], new float[4 * 64], Epilogue.None, Epilogue.None));
        Assert.Contains("64×32 and 32×32", e.Message);
    }

    /// <summary>Runs <paramref name="body"/> with the kernels split over each pool, each with a workspace of its own.</summary>
    private void ForEachPool(Action<ParallelKernels, int> body)
    {
        foreach (var pool in _pools) body(new ParallelKernels(Kernels, pool, new Workspace()), pool.Threads);
    }
}

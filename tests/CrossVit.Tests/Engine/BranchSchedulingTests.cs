using CrossVit.Runtime.Config;
using CrossVit.Runtime.Engine;
using CrossVit.Runtime.Kernels;
using CrossVit.Runtime.Model;
using CrossVit.Weights;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Xunit;
using static CrossVit.Tests.Kernels.KernelTestSupport;

namespace CrossVit.Tests.Engine;

/// <summary>The branch scheduler: its cost model's choices, and concurrent branches giving the sequential results.</summary>
public sealed class BranchSchedulingTests
{
    /// <summary>crossvit_9_dagger_240's stage: 401 tokens × 128 wide with 1 block, 197 × 256 with 3 blocks.</summary>
    private static readonly BranchCost[] Dagger9 = [Blocks(401, 128, 384, 4, 1), Blocks(197, 256, 768, 4, 3)];

    /// <summary>The work of <paramref name="count"/> ViT blocks: qkv, proj, fc1 and fc2, and attention.</summary>
    internal static BranchCost Blocks(int tokens, int dim, int hidden, int heads, int count) => BranchCost.Sum(Enumerable.Repeat(
        new BranchCost([new(tokens, 3L * dim * dim), new(tokens, (long)dim * dim), new(tokens, (long)dim * hidden), new(tokens, (long)hidden * dim)],
            [new(heads, tokens, tokens, dim / heads)]), count));

    private const int RowTile = 8;   // the AVX-512 micro-kernel's rows
    private const int BlockRows = 256;   // and its M block

    [Fact]
    public void AutoRunsEqualBranchesConcurrentlyOnTwoThreads()
    {
        BranchCost[] equal = [Blocks(197, 256, 768, 4, 2), Blocks(197, 256, 768, 4, 2)];
        var sizes = new int[2];
        Assert.True(BranchPartition.Choose(equal, 1, 2, RowTile, BlockRows, BranchScheduling.Auto, sizes));
        Assert.Equal([1, 1], sizes);
    }

    /// <summary>A preset with seeded random weights (the schedule depends on the architecture alone).</summary>
    private static CrossVitModel RandomModel(string preset) => RandomWeights.Load(Presets.Get(preset), seed: 0);

    [Fact]
    public void AutoKeepsEveryPartOfCrossVitSmallSequentialOnTwoThreads()
    {
        using var model = RandomModel("crossvit_small_240");
        using var session = model.CreateSession(new SessionOptions { Threads = 2, MaxBatch = 8, Images = ImageScheduling.Shared });
        for (int batch = 1; batch <= 8; batch++)
        {
            var partitions = session.BranchSchedule(batch);
            Assert.Equal(1 + 2 * model.Config.Depth.Count, partitions.Count);   // the embedding, then each stage's blocks and fusion
            Assert.All(partitions, Assert.Null);
        }
    }

    /// <summary>
    /// The narrow models' fusions on two threads: at batch 1 their single-row GEMMs are too small to split, so run one
    /// after another the branches leave a worker idle through each; side by side, one worker each, they do not.
    /// </summary>
    [Theory]
    [InlineData("crossvit_9_dagger_240", 1)]
    [InlineData("crossvit_tiny_240", 3)]
    public void AutoRunsTheNarrowModelsFusionConcurrentlyOnTwoThreadsAtSmallBatches(string preset, int lastConcurrentBatch)
    {
        using var model = RandomModel(preset);
        using var session = model.CreateSession(new SessionOptions { Threads = 2, MaxBatch = 8, Images = ImageScheduling.Shared });
        using var perWorker = model.CreateSession(new SessionOptions { Threads = 2, MaxBatch = 8 });
        for (int batch = 1; batch <= 8; batch++)
        {
            var partitions = session.BranchSchedule(batch);
            // Images per worker (the default) leave at most one image to share: the schedule of a batch of 1, else none.
            var shared = batch % 2 == 1 ? session.BranchSchedule(1) : Enumerable.Repeat<IReadOnlyList<int>?>(null, partitions.Count).ToList();
            Assert.Equal(shared, perWorker.BranchSchedule(batch));
            for (int part = 0; part < partitions.Count; part++)
            {
                // Parts: the embedding, then each stage's blocks and fusion.
                bool fusion = part > 0 && part % 2 == 0;
                if (fusion && batch <= lastConcurrentBatch)
                    Assert.Equal([1, 1], partitions[part]!);
                else
                    Assert.Null(partitions[part]);
            }
        }
    }

    [Fact]
    public void AGemmTooSmallToSplitCostsOneWorkerAllOfIt()
    {
        // 1 × 32768 multiply-adds: ParallelKernels.IsTooSmallToSplit, so one worker does it however many there are.
        var small = new BranchCost([new GemmCost(1, 32_768)], []);
        Assert.True(ParallelKernels.IsTooSmallToSplit(32_768));
        Assert.Equal(BranchPartition.Time(small, 1, 1, RowTile, BlockRows), BranchPartition.Time(small, 1, 2, RowTile, BlockRows));
        Assert.Equal(BranchPartition.Time(small, 1, 1, RowTile, BlockRows), BranchPartition.Time(small, 1, 16, RowTile, BlockRows));
        // A convolution of that size is still split (its kernels have no such floor): the wake-up costs more than it saves.
        var conv = new BranchCost([new GemmCost(1, 32_768, PerImage: true)], []);
        Assert.True(BranchPartition.Time(conv, 1, 2, RowTile, BlockRows) > BranchPartition.Time(conv, 1, 1, RowTile, BlockRows));
        // Two images make it big enough: split by weight panels (fewer row tiles than workers), half each plus the wake-up.
        Assert.True(BranchPartition.Time(small, 2, 2, RowTile, BlockRows) < BranchPartition.Time(small, 2, 1, RowTile, BlockRows));
    }

    [Fact]
    public void AutoRunsCrossVit9DaggersBlocksAndFusionConcurrentlyOnSixteenThreads()
    {
        using var model = RandomModel("crossvit_9_dagger_240");
        using var session = model.CreateSession(new SessionOptions { Threads = 16 });
        var partitions = session.BranchSchedule(1);
        Assert.Null(partitions[0]);   // the stems would gain under the 5% margin
        // Blocks: 25 row tiles of the large branch take 2 passes on 13 workers as on 16, which frees 3 for the small
        // branch. Fusion: the CLS attention (one item per head) keeps 4 workers busy and every operation is small.
        for (int stage = 0; stage < 3; stage++)
        {
            Assert.Equal([3, 13], partitions[1 + 2 * stage]!);
            Assert.NotNull(partitions[2 + 2 * stage]);
        }
    }

    [Fact]
    public void ModesOverrideTheCostModel()
    {
        var sizes = new int[2];
        Assert.True(BranchPartition.Choose(Dagger9, 1, 2, RowTile, BlockRows, BranchScheduling.Concurrent, sizes));
        Assert.Equal([1, 1], sizes);
        BranchCost[] equal = [Dagger9[1], Dagger9[1]];
        Assert.False(BranchPartition.Choose(equal, 1, 2, RowTile, BlockRows, BranchScheduling.Sequential, sizes));
        Assert.False(BranchPartition.Choose([.. equal, Dagger9[1]], 1, 2, RowTile, BlockRows, BranchScheduling.Concurrent, new int[3]), "3 branches cannot share 2 threads");
    }

    [Property(MaxTest = Cases)]
    public Property PartitionMinimisesTheSlowestGroup()
    {
        // Blocks, stems (convolutions image by image) and fusions (single-row GEMMs, one query), mixed at random.
        var gemm =
            from rows in Gen.Elements(1, 7, 197, 401, 3136)
            from weights in Gen.Choose(1, 600_000)
            from perImage in Gen.Elements(false, true)
            select new GemmCost(rows, weights, perImage);
        var attention =
            from heads in Gen.Choose(1, 8)
            from queries in Gen.Elements(1, 17, 197, 401)
            from keys in Gen.Choose(1, 600)
            from depth in Gen.Elements(32, 64, 256)
            select new AttentionCost(heads, queries, keys, depth);
        var shape =
            from gemms in Gen.Choose(0, 5).SelectMany(n => Gen.ArrayOf(gemm, n))
            from attentions in Gen.Choose(0, 3).SelectMany(n => Gen.ArrayOf(attention, n))
            select new BranchCost(gemms, attentions);
        var cases =
            from shapes in Gen.ArrayOf(shape, 3)
            from threads in Gen.Choose(3, 24)
            from batch in Gen.Choose(1, 9)
            select (Shapes: shapes, Threads: threads, Batch: batch);
        return Prop.ForAll(cases.ToArbitrary(), c =>
        {
            var sizes = new int[3];
            Assert.True(BranchPartition.Choose(c.Shapes, c.Batch, c.Threads, RowTile, BlockRows, BranchScheduling.Concurrent, sizes));
            Assert.Equal(c.Threads, sizes.Sum());
            Assert.All(sizes, s => Assert.True(s >= 1));
            double Slowest(int a, int b, int d) => new[] { (c.Shapes[0], a), (c.Shapes[1], b), (c.Shapes[2], d) }
                .Max(g => BranchPartition.Time(g.Item1, c.Batch, g.Item2, RowTile, BlockRows));
            double chosen = Slowest(sizes[0], sizes[1], sizes[2]);
            for (int a = 1; a < c.Threads - 1; a++)
            {
                for (int b = 1; a + b < c.Threads; b++)
                    Assert.True(chosen <= Slowest(a, b, c.Threads - a - b), $"{a}, {b}, {c.Threads - a - b} beats {string.Join(", ", sizes)}");
            }
        });
    }

    [Theory]
    [InlineData("golden", "crossvit_9_dagger_240")]
    [InlineData("golden", "mini_fusion")]
    [InlineData("reference", "three_branch")]
    [InlineData("reference", "three_branch_dagger")]
    public void ConcurrentBranchesAreBitIdenticalToSequential(string set, string name)
    {
        string Path(string file) => set == "golden" ? TestData.Golden(name, file) : TestData.Reference(name, file);
        var config = CrossVitConfigJson.Load(Path("config.json"));
        using var model = CrossVitModel.Load(config, Path("weights.safetensors"));
        var array = Npy.Read(Path("input.npy"));
        var input = array.ToFloat32();
        int batch = array.Shape[0], height = array.Shape[2], width = array.Shape[3];
        float[] RunWith(int threads, BranchScheduling branches)
        {
            // Shared images, so that every image reaches the branch groups.
            using var session = model.CreateSession(new SessionOptions { Threads = threads, MaxBatch = batch, Branches = branches, Images = ImageScheduling.Shared });
            var output = new float[batch * config.OutputSize];
            session.Run(input, batch, height, width, output);
            return output;
        }
        var sequential = RunWith(1, BranchScheduling.Sequential);
        TestData.AssertClose(Npy.Read(Path("logits.npy")).ToFloat32(), sequential, name);
        int n = config.Branches;
        foreach (int threads in new[] { n, n + 1, 5 })
            Assert.Equal(sequential, RunWith(threads, BranchScheduling.Concurrent));
    }

    [Theory]
    [InlineData(300)]
    [InlineData(200)]
    public void ConcurrentBranchesAreBitIdenticalToSequentialForOtherInputSizes(int size)
    {
        // Both branches resize such inputs, in their groups' workspaces, which the session planned for 240 × 240.
        using var model = CrossVitModel.Load(TestData.Config("crossvit_9_dagger_240"), TestData.Golden("crossvit_9_dagger_240", "weights.safetensors"));
        var random = new Random(size);
        var input = new float[2 * 3 * size * size];
        foreach (ref float v in input.AsSpan()) v = (float)(random.NextDouble() * 4 - 2);
        float[] RunWith(int threads, BranchScheduling branches)
        {
            using var session = model.CreateSession(new SessionOptions { Threads = threads, MaxBatch = 2, Branches = branches, Images = ImageScheduling.Shared });
            var output = new float[2 * model.Config.OutputSize];
            session.Run(input, 2, size, size, output);
            return output;
        }
        var sequential = RunWith(1, BranchScheduling.Sequential);
        Assert.Equal(sequential, RunWith(2, BranchScheduling.Concurrent));
        Assert.Equal(sequential, RunWith(3, BranchScheduling.Concurrent));
    }

    [Fact]
    public void ConcurrentNeedsAThreadPerBranch()
    {
        var config = CrossVitConfigJson.Load(TestData.Reference("three_branch", "config.json"));
        using var model = CrossVitModel.Load(config, TestData.Reference("three_branch", "weights.safetensors"));
        var e = Assert.Throws<ArgumentException>(() => model.CreateSession(new SessionOptions { Threads = 2, Branches = BranchScheduling.Concurrent }));
        Assert.Contains("3 branches", e.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() =>
            CrossVitModel.Load(config, TestData.Reference("three_branch", "weights.safetensors"), new ModelOptions { Threads = 2, Branches = BranchScheduling.Concurrent }));
    }
}

using CrossVit.Runtime.Config;
using CrossVit.Runtime.Engine;
using CrossVit.Runtime.Model;
using CrossVit.Weights;
using FsCheck.Fluent;
using Xunit;
using static CrossVit.Tests.Kernels.KernelTestSupport;

namespace CrossVit.Tests.Engine;

/// <summary>The branch scheduler: its cost model's choices, and concurrent branches giving the sequential results.</summary>
public sealed class BranchSchedulingTests
{
    /// <summary>crossvit_9_dagger_240's stage: 401 tokens × 128 wide with 1 block, 197 × 256 with 3 blocks.</summary>
    private static readonly BranchShape[] Dagger9 = [new(401, 128, 384, 4, 1), new(197, 256, 768, 4, 3)];

    private const int RowTile = 8;   // the AVX-512 micro-kernel's rows

    [Fact]
    public void AutoKeepsUnequalBranchesSequentialOnTwoThreads()
    {
        var sizes = new int[2];
        for (int batch = 1; batch <= 16; batch++)
            Assert.False(BranchPartition.Choose(Dagger9, batch, 2, RowTile, BranchScheduling.Auto, sizes), $"batch {batch}");
    }

    [Fact]
    public void AutoRunsEqualBranchesConcurrentlyOnTwoThreads()
    {
        BranchShape[] equal = [new(197, 256, 768, 4, 2), new(197, 256, 768, 4, 2)];
        var sizes = new int[2];
        Assert.True(BranchPartition.Choose(equal, 1, 2, RowTile, BranchScheduling.Auto, sizes));
        Assert.Equal([1, 1], sizes);
    }

    [Fact]
    public void AutoGivesTheLargeBranchMoreWorkersOnSixteenThreadsAtBatchOne()
    {
        // 25 row tiles of the large branch take 2 passes on 13 workers as on 16, which frees 3 for the small branch.
        var sizes = new int[2];
        Assert.True(BranchPartition.Choose(Dagger9, 1, 16, RowTile, BranchScheduling.Auto, sizes));
        Assert.Equal([3, 13], sizes);
    }

    [Fact]
    public void ModesOverrideTheCostModel()
    {
        var sizes = new int[2];
        Assert.True(BranchPartition.Choose(Dagger9, 1, 2, RowTile, BranchScheduling.Concurrent, sizes));
        Assert.Equal([1, 1], sizes);
        BranchShape[] equal = [Dagger9[1], Dagger9[1]];
        Assert.False(BranchPartition.Choose(equal, 1, 2, RowTile, BranchScheduling.Sequential, sizes));
        Assert.False(BranchPartition.Choose([.. equal, Dagger9[1]], 1, 2, RowTile, BranchScheduling.Concurrent, new int[3]), "3 branches cannot share 2 threads");
    }

    [Fact]
    public void PartitionMinimisesTheSlowestGroup()
    {
        var shape =
            from tokens in Gen.Choose(1, 600)
            from dim in Gen.Elements(16, 64, 128, 256, 384)
            from heads in Gen.Elements(1, 2, 4, 8)
            from blocks in Gen.Choose(0, 4)
            select new BranchShape(tokens, dim, 3 * dim, heads, blocks);
        var cases =
            from shapes in Gen.ArrayOf(shape, 3)
            from threads in Gen.Choose(3, 24)
            from batch in Gen.Choose(1, 9)
            select (Shapes: shapes, Threads: threads, Batch: batch);
        ForAll(cases, c =>
        {
            var sizes = new int[3];
            Assert.True(BranchPartition.Choose(c.Shapes, c.Batch, c.Threads, RowTile, BranchScheduling.Concurrent, sizes));
            Assert.Equal(c.Threads, sizes.Sum());
            Assert.All(sizes, s => Assert.True(s >= 1));
            double Slowest(int a, int b, int d) => new[] { (c.Shapes[0], a), (c.Shapes[1], b), (c.Shapes[2], d) }
                .Max(g => BranchPartition.Time(g.Item1, c.Batch, g.Item2, RowTile));
            double chosen = Slowest(sizes[0], sizes[1], sizes[2]);
            for (int a = 1; a < c.Threads - 1; a++)
                for (int b = 1; a + b < c.Threads; b++)
                    Assert.True(chosen <= Slowest(a, b, c.Threads - a - b), $"{a}, {b}, {c.Threads - a - b} beats {string.Join(", ", sizes)}");
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
            using var session = model.CreateSession(new SessionOptions { Threads = threads, MaxBatch = batch, Branches = branches });
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

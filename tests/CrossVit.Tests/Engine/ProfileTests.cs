using CrossVit.Runtime.Config;
using CrossVit.Runtime.Engine;
using CrossVit.Runtime.Kernels;
using CrossVit.Runtime.Model;
using CrossVit.Runtime.Profiling;
using CrossVit.Runtime.Threading;
using Xunit;

namespace CrossVit.Tests.Engine;

/// <summary>
/// <see cref="SessionOptions.Profile"/>: the profile accounts for the pass's time and for <see cref="ModelCost"/>'s work,
/// and changes no result. Timed, so it does not share threads with other tests.
/// </summary>
[Collection(nameof(SessionTests))]
public class ProfileTests
{
    public static TheoryData<string, int, BranchScheduling> Cases => new()
    {
        { "crossvit_9_dagger_240", 2, BranchScheduling.Auto },
        { "crossvit_9_dagger_240", 3, BranchScheduling.Concurrent },   // the groups' recorders, one of 1 worker and one of 2
        { "mini_linear", 1, BranchScheduling.Auto },
        { "mini_dagger", 2, BranchScheduling.Auto },
        { "mini_fusion", 3, BranchScheduling.Auto },
        { "mini_avgpool", 2, BranchScheduling.Concurrent },
        { "mini_noresize", 1, BranchScheduling.Auto },
        { "three_branch", 3, BranchScheduling.Concurrent },
        { "three_branch_dagger", 2, BranchScheduling.Auto },
        { "one_branch_gray_features", 2, BranchScheduling.Auto },
    };

    private static (CrossVitModel Model, float[] Input, int Batch, int Height, int Width) Load(string name)
    {
        bool golden = TestData.Cases.Contains(name);
        string folder = golden ? TestData.Golden(name) : TestData.Reference(name);
        var model = CrossVitModel.Load(CrossVitConfigJson.Load(Path.Combine(folder, "config.json")), Path.Combine(folder, "weights.safetensors"));
        var input = CrossVit.Weights.Npy.Read(Path.Combine(folder, "input.npy"));
        return (model, input.ToFloat32(), input.Shape[0], input.Shape[2], input.Shape[3]);
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void ProfiledPassesGiveBitIdenticalOutputsAndCountModelCostsWork(string name, int threads, BranchScheduling branches)
    {
        var (model, input, batch, height, width) = Load(name);
        using var plain = model.CreateSession(new SessionOptions { MaxBatch = batch, Threads = threads, Branches = branches });
        using var profiled = model.CreateSession(new SessionOptions { MaxBatch = batch, Threads = threads, Branches = branches, Profile = true });
        var expected = new float[batch * model.Config.OutputSize];
        var actual = new float[expected.Length];
        plain.Run(input, batch, height, width, expected);
        profiled.Run(input, batch, height, width, actual);
        Assert.Equal(expected, actual);

        var p = profiled.ReadProfile();
        Assert.Equal(1, p.Passes);
        Assert.Equal(batch, p.Images);
        var kinds = p.ByKind();
        Assert.Equal(OpKinds.All, kinds.Select(k => k.Kind));
        Assert.Equal(batch * ModelCost.MultiplyAdds(model.Config), kinds.Sum(k => k.MultiplyAdds));
        Assert.Equal(p.Layers.Sum(l => l.MultiplyAdds), kinds.Sum(k => k.MultiplyAdds));
        Assert.All(p.Layers, l => Assert.True(l.Calls > 0 && l.Milliseconds >= 0
            && l.Waits.StartMilliseconds >= 0 && l.Waits.UnevenMilliseconds >= 0 && l.Waits.JoinMilliseconds >= 0, $"{l}"));
        if (threads == 1) Assert.All(p.Layers, l => Assert.Equal(default, l.Waits));
        Assert.All(p.Layers.Where(l => OpKinds.IsMemoryBound(l.Kind)), l => Assert.True(l.Bytes > 0, $"{l}"));
        // One ViT attention core per block and branch, per pass of the network: each worker's of its own images, and one of the rest.
        int blocks = model.Config.Depth.Sum(stage => stage.Take(model.Config.Branches).Sum());
        int alone = profiled.ImagesPerWorker(batch), networkPasses = (alone > 0 ? threads : 0) + (batch > alone * threads ? 1 : 0);
        Assert.Equal(blocks * networkPasses, kinds.Single(k => k.Kind == OpKind.AttentionCore).Calls);
    }

    [Fact]
    public void CrossVit9DaggerHasEveryKindOncePerLayerInPassOrder()
    {
        var (model, input, batch, height, width) = Load("crossvit_9_dagger_240");
        using var session = model.CreateSession(new SessionOptions { MaxBatch = batch, Profile = true });
        var output = new float[batch * model.Config.OutputSize];
        session.Run(input, batch, height, width, output);
        var p = session.ReadProfile();
        Assert.All(p.ByKind(), k => Assert.True(k.Calls > 0, $"{k.Kind} was never run"));
        Assert.Equal("patch_embed.0.channels_last", p.Layers[0].Layer);
        Assert.Equal(OpKind.Head, p.Layers[^1].Kind);
        // fc2 is two operations: the two groups' GEMMs (group 0's adding into the tokens), then the addition of group 1's product.
        Assert.Contains(p.Layers, l => l.Layer == "blocks.2.blocks.1.2.mlp.fc2" && l.Kind == OpKind.Fc2 && l.Calls == 2);
        Assert.Contains(p.Layers, l => l.Layer == "blocks.0.fusion.1.attn" && l.Kind == OpKind.CrossAttention);
        Assert.Equal(p.Layers.Count, p.Layers.Select(l => l.Layer).Distinct().Count());
    }

    [Theory]
    [InlineData(ImageScheduling.Shared)]
    [InlineData(ImageScheduling.PerWorker)]   // batch 2: one image on each worker, whose operations count half their time
    public void PartsSumToThePass(ImageScheduling images)
    {
        var (model, input, batch, height, width) = Load("crossvit_9_dagger_240");
        // Sequential branches: side by side, different branches' operations overlap and may add up to more than the pass.
        var options = new SessionOptions { MaxBatch = batch, Threads = 2, Branches = BranchScheduling.Sequential, Images = images, Profile = true };
        using var session = model.CreateSession(options);
        var output = new float[batch * model.Config.OutputSize];
        for (int i = 0; i < 3; i++) session.Run(input, batch, height, width, output);
        session.ResetProfile();
        var reset = session.ReadProfile();
        Assert.Equal((0, 0.0), (reset.Passes, reset.ImageWaitMilliseconds));
        for (int i = 0; i < 10; i++) session.Run(input, batch, height, width, output);
        var p = session.ReadProfile();
        Assert.Equal(10, p.Passes);
        double parts = p.Layers.Sum(l => l.Milliseconds);
        // Two workers never finish their images at the same tick, and a worker that is done waits for the other.
        if (images == ImageScheduling.PerWorker) Assert.True(p.ImageWaitMilliseconds > 0, $"{p.ImageWaitMilliseconds}");
        else Assert.Equal(0, p.ImageWaitMilliseconds);
        // The operations and the waits are timed inside the pass, so they cannot exceed it; what lies outside them is a
        // few copies and the workers' waking.
        Assert.InRange((parts + p.ImageWaitMilliseconds) / p.Milliseconds, 0.9, 1.0);
        Assert.Equal(p.Milliseconds - parts - p.ImageWaitMilliseconds, p.OtherMilliseconds, 1e-9);
        Assert.All(p.ByKind(), k => Assert.True(k.Waits.TotalMilliseconds <= 2 * k.Milliseconds + 1e-9, $"{k}: two workers wait at most twice the wall time"));
        // A kind's waits are its layers', part by part.
        var qkv = p.Layers.Where(l => l.Kind == OpKind.Qkv).ToList();
        var qkvKind = p.ByKind().Single(k => k.Kind == OpKind.Qkv).Waits;
        Assert.Equal(qkv.Sum(l => l.Waits.UnevenMilliseconds), qkvKind.UnevenMilliseconds, 1e-9);
        Assert.Equal(qkv.Sum(l => l.Waits.StartMilliseconds), qkvKind.StartMilliseconds, 1e-9);
        Assert.Equal(qkv.Sum(l => l.Waits.JoinMilliseconds), qkvKind.JoinMilliseconds, 1e-9);
    }

    [Fact]
    public void WaitsCountTheWorkersLeftIdleOrOutsideTheirShares()
    {
        using var pool = new WorkerPool(3);
        var recorder = new OpRecorder(pool.Threads);
        var k = new ParallelKernels(KernelSet.Create(IsaSupport.Best), pool, new Workspace(), recorder: recorder);
        var small = new OpSite(OpKind.LayerNorm, "small");
        var large = new OpSite(OpKind.LayerNorm, "large");
        var gamma = Enumerable.Repeat(1f, 64).ToArray();
        var beta = new float[64];
        var x = Enumerable.Range(0, 512 * 64).Select(i => (float)Math.Sin(i)).ToArray();
        var y = new float[x.Length];
        k.LayerNorm(x.AsSpan(0, 64), 1, 64, gamma, beta, 1e-6f, y, small);     // one row: the caller alone, two workers idle
        for (int i = 0; i < 5; i++) k.LayerNorm(x, 512, 64, gamma, beta, 1e-6f, y, large);   // split three ways
        var totals = new List<(OpSite Site, OpRecorder.Totals Totals)>();
        recorder.AddTo(totals);
        var (_, one) = totals.Single(t => t.Site == small);
        Assert.Equal(new OpRecorder.WaitTicks(0, 2 * one.Ticks, 0), one.Waits);   // the two idle workers had no share: all of it uneven
        var (_, split) = totals.Single(t => t.Site == large);
        Assert.Equal(5, split.Calls);
        Assert.InRange(split.Waits.Total, 1, 3 * split.Ticks);   // waking and joining take some time, and no worker waits longer than the call
        Assert.True(split.Waits.Start > 0 && split.Waits.Join > 0, $"{split.Waits}");   // the caller checks the arguments first, and returns last
        Assert.Equal(2L * sizeof(float) * 512 * 64 * 5, split.Bytes);
    }

    [Fact]
    public void WaitsAreCutWhereTheSharesStartAndEnd()
    {
        var recorder = new OpRecorder(3);
        var site = new OpSite(OpKind.Fc2, "fc2");
        // Three workers: each starts 10, 20 and 30 ticks into the operation and ends its share 1000, 4000 and 3000 ticks in.
        long start = OpRecorder.Now() - 10_000;
        long[] started = [10, 20, 30], finished = [1000, 4000, 3000];
        for (int w = 0; w < 3; w++) (recorder.Started[w], recorder.Finished[w]) = (start + started[w], start + finished[w]);
        recorder.Stop(site, start, threads: 3, split: true, multiplyAdds: 1);
        var totals = new List<(OpSite Site, OpRecorder.Totals Totals)>();
        recorder.AddTo(totals);
        var t = totals.Single().Totals;
        Assert.Equal(10 + 20 + 30, t.Waits.Start);
        Assert.Equal((4000 - 1000) + 0 + (4000 - 3000), t.Waits.Uneven);
        Assert.Equal(3 * (t.Ticks - 4000), t.Waits.Join);   // every worker, from the last one's end until the call returned
        // Each worker's wait is the wall time outside its share.
        Assert.Equal(Enumerable.Range(0, 3).Sum(w => t.Ticks - (finished[w] - started[w])), t.Waits.Total);
    }

    [Fact]
    public void OnlyAProfiledSessionHasAProfile()
    {
        var (model, _, _, _, _) = Load("mini_linear");
        using var session = model.CreateSession();
        Assert.False(session.IsProfiling);
        var e = Assert.Throws<InvalidOperationException>(session.ReadProfile);
        Assert.Contains("SessionOptions.Profile = true", e.Message, StringComparison.Ordinal);
        Assert.Throws<InvalidOperationException>(session.ResetProfile);
    }

    [Fact]
    public void TaxonomyNamesEveryKindOnce()
    {
        Assert.Equal(Enum.GetValues<OpKind>(), OpKinds.All);
        Assert.Equal(OpKinds.All.Count, OpKinds.All.Select(OpKinds.Id).Distinct().Count());
        Assert.Equal(OpKinds.All.Count, OpKinds.All.Select(OpKinds.Label).Distinct().Count());
        Assert.Equal([OpKind.BranchResize, OpKind.LayerNorm], OpKinds.All.Where(OpKinds.IsMemoryBound));
        Assert.Throws<ArgumentOutOfRangeException>(() => OpKinds.Id((OpKind)99));
    }
}

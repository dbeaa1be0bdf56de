using CrossVit.Runtime.Engine;
using CrossVit.Runtime.Kernels;
using CrossVit.Runtime.Model;
using Xunit;

namespace CrossVit.Tests.Engine;

/// <summary>Allocation is measured per thread, so these tests must not share threads with others.</summary>
[CollectionDefinition(nameof(SessionTests), DisableParallelization = true)]
public sealed class SessionCollection;

[Collection(nameof(SessionTests))]
public class SessionTests
{
    private static (CrossVitModel Model, float[] Input, int Batch, int Size) Load(string name)
    {
        var model = CrossVitModel.Load(TestData.Config(name), TestData.Golden(name, "weights.safetensors"));
        var input = TestData.Array(name, "input.npy");
        return (model, input.ToFloat32(), input.Shape[0], input.Shape[2]);
    }

    /// <summary>A golden case's model with <paramref name="images"/> seeded random RGB images of its size, values in [−2, 2).</summary>
    private static (CrossVitModel Model, float[] Input, int Size, int Classes) RandomImages(string name, int images, int seed)
    {
        var model = CrossVitModel.Load(TestData.Config(name), TestData.Golden(name, "weights.safetensors"));
        int size = model.Config.ImgSize[0];
        var random = new Random(seed);
        var input = new float[images * 3 * size * size];
        foreach (ref float v in input.AsSpan()) v = (float)(random.NextDouble() * 4 - 2);
        return (model, input, size, model.Config.OutputSize);
    }

    [Theory]
    [InlineData("crossvit_9_dagger_240", ImageScheduling.PerWorker)]
    [InlineData("crossvit_9_dagger_240", ImageScheduling.Shared)]
    [InlineData("mini_fusion", ImageScheduling.PerWorker)]
    [InlineData("mini_fusion", ImageScheduling.Shared)]
    [InlineData("mini_avgpool", ImageScheduling.PerWorker)]   // batch 3: on two workers, one image each and one shared
    [InlineData("mini_avgpool", ImageScheduling.Shared)]
    [InlineData("mini_noresize", ImageScheduling.Shared)]     // branch 0's 3 heads: attention whole, its MLP in two groups
    public void ResultsAreBitIdenticalForEveryThreadCount(string name, ImageScheduling images)
    {
        var (model, input, batch, size) = Load(name);
        float[] RunWith(int threads)
        {
            using var session = model.CreateSession(new SessionOptions { Threads = threads, MaxBatch = batch, Images = images });
            var output = new float[batch * model.Config.OutputSize];
            session.Run(input, batch, size, size, output);
            return output;
        }
        var one = RunWith(1);
        TestData.AssertClose(TestData.Array(name, "logits.npy").ToFloat32(), one, name);
        Assert.Equal(one, RunWith(2));
        Assert.Equal(one, RunWith(3));   // 3 and 5 workers also cut attention heads into chunks of query rows
        Assert.Equal(one, RunWith(5));
    }

    /// <summary>
    /// Whole images per worker: every batch of 1 to 7 is cut into q images on each worker and the rest shared, and each
    /// image's logits are bit for bit those of a one-thread run of the whole batch, with a different image everywhere.
    /// </summary>
    [Theory]
    [InlineData(2)]
    [InlineData(3)]
    public void ImagesPerWorkerGiveTheBitsOfOneThread(int threads)
    {
        const int MaxBatch = 7;
        var (model, input, size, classes) = RandomImages("mini_fusion", MaxBatch, seed: threads);
        using var one = model.CreateSession(new SessionOptions { MaxBatch = MaxBatch });
        using var session = model.CreateSession(new SessionOptions { Threads = threads, MaxBatch = MaxBatch });
        for (int batch = 1; batch <= MaxBatch; batch++)
        {
            var x = input.AsSpan(0, batch * 3 * size * size);
            var expected = new float[batch * classes];
            var actual = new float[batch * classes];
            one.Run(x, batch, size, size, expected);
            session.Run(x, batch, size, size, actual);
            Assert.Equal(expected, actual);
            Assert.Equal(batch / threads, session.ImagesPerWorker(batch));
            Assert.Equal(0, one.ImagesPerWorker(batch));
        }
    }

    /// <summary>
    /// A one-thread session, and a worker running images by itself, takes at most <see cref="PerWorkerImages.MostPerPass"/>
    /// images in a pass: a batch of 11 runs on one thread as passes of 4, 4 and 3, on two workers as 5 each (passes of 4
    /// and 1) and 1 shared. Each image's logits are bit for bit those of a pass of its own, and the arenas are those of
    /// the largest passes: a session for batches of 11 plans what one for 4 · threads + threads − 1 does.
    /// </summary>
    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public void LargeBatchesRunInPassesOfAtMostFourImages(int threads)
    {
        const int MaxBatch = 11;
        var (model, input, size, classes) = RandomImages("mini_fusion", MaxBatch, seed: 11);
        int imageIn = 3 * size * size;
        using var single = model.CreateSession();
        using var session = model.CreateSession(new SessionOptions { Threads = threads, MaxBatch = MaxBatch });
        using var largestPasses = model.CreateSession(new SessionOptions { Threads = threads, MaxBatch = (PerWorkerImages.MostPerPass * threads) + threads - 1 });
        var output = new float[MaxBatch * classes];
        session.Run(input, MaxBatch, size, size, output);
        for (int i = 0; i < MaxBatch; i++)
        {
            var alone = new float[classes];
            single.Run(input.AsSpan(i * imageIn, imageIn), 1, size, size, alone);
            Assert.Equal(alone, output.AsSpan(i * classes, classes).ToArray());
        }

        Assert.Equal(largestPasses.ArenaSize, session.ArenaSize);
    }

    /// <summary>
    /// As torch computes it: a NaN pixel makes every logit of its image NaN (through the stem's ReLU, LayerNorm,
    /// attention and GELU alike) and leaves the other images of the batch bit for bit as they were, on every ISA.
    /// </summary>
    [Theory]
    [MemberData(nameof(NaNCases))]
    public void ANaNPixelMakesItsImagesLogitsNaNAndNoOthers(string name, Isa isa)
    {
        var model = CrossVitModel.Load(TestData.Config(name), TestData.Golden(name, "weights.safetensors"), new ModelOptions { Isa = isa, MaxBatch = 2 });
        var input = TestData.Array(name, "input.npy");
        var (x, batch, size, classes) = (input.ToFloat32(), input.Shape[0], input.Shape[2], model.Config.OutputSize);
        using var session = model.CreateSession(new SessionOptions { Threads = 2, MaxBatch = batch });
        var clean = new float[batch * classes];
        session.Run(x, batch, size, size, clean);
        x[(3 * size * size) + (size * 40) + 17] = float.NaN;   // image 1, red channel, row 40, column 17
        var output = new float[batch * classes];
        session.Run(x, batch, size, size, output);
        Assert.True(output.AsSpan(classes, classes).ToArray().All(float.IsNaN), $"{name} on {isa}: image 1's logits are not all NaN");
        Assert.Equal(clean.AsSpan(0, classes).ToArray(), output.AsSpan(0, classes).ToArray());
    }

    public static TheoryData<string, Isa> NaNCases()
    {
        var data = new TheoryData<string, Isa>();
        foreach (var isa in Kernels.KernelTestSupport.SupportedIsas())
        {
            data.Add("mini_dagger", isa);
            data.Add("mini_fusion", isa);
        }

        return data;
    }

    /// <summary>A pass that fails part-way (here in a worker's own images, or on the calling thread) leaves the session as it was.</summary>
    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public void AFailedPassLeavesTheSessionUsable(int threads)
    {
        var (model, input, batch, size) = Load("mini_fusion");
        using var session = model.CreateSession(new SessionOptions { Threads = threads, MaxBatch = batch });
        var expected = new float[batch * model.Config.OutputSize];
        session.Run(input, batch, size, size, expected);
        int arena = session.ArenaSize;
        model.TokenObserver = (stage, _, _) =>
        {
            if (stage == 0) throw new InvalidOperationException("observer failed");
        };
        var e = Assert.ThrowsAny<Exception>(() => session.Run(input, batch, size, size, new float[expected.Length]));
        Assert.Contains("observer failed", (e.InnerException ?? e).Message, StringComparison.Ordinal);
        model.TokenObserver = null;
        var output = new float[expected.Length];
        session.Run(input, batch, size, size, output);
        Assert.Equal(expected, output);
        Assert.Equal(arena, session.ArenaSize);   // the failed pass's buffers were given back, so the arena did not grow
        var counts = Allocations.UntilZero(() =>
        {
            long before = session.AllocatedBytes;
            session.Run(input, batch, size, size, output);
            return session.AllocatedBytes - before;
        });
        Assert.True(counts[^1] == 0, $"passes after the failure allocated {string.Join(", then ", counts)} bytes");
    }

    [Fact]
    public void AllocatedBytesCountsTheCallingThread()
    {
        var (model, _, _, _) = Load("mini_noresize");
        using var session = model.CreateSession(new SessionOptions { Threads = 2 });
        long before = session.AllocatedBytes;
        GC.KeepAlive(new byte[10_000]);
        Assert.InRange(session.AllocatedBytes - before, 10_000, 20_000);
    }

    [Theory]
    [InlineData(2, BranchScheduling.Auto, ImageScheduling.PerWorker)]   // batch 2: an image on each worker
    [InlineData(2, BranchScheduling.Auto, ImageScheduling.Shared)]
    [InlineData(2, BranchScheduling.Concurrent, ImageScheduling.Shared)]
    [InlineData(3, BranchScheduling.Concurrent, ImageScheduling.PerWorker)]   // groups of 1 and 2 workers, so one group hands operations to a member
    public void SteadyStateAllocatesNothing(int threads, BranchScheduling branches, ImageScheduling images)
    {
        var (model, input, batch, size) = Load("crossvit_9_dagger_240");
        using var session = model.CreateSession(new SessionOptions { Threads = threads, MaxBatch = batch, Branches = branches, Images = images });
        var output = new float[batch * model.Config.OutputSize];
        session.Run(input, batch, size, size, output);   // warm-up: JIT and the kernels' per-thread buffers
        session.Run(input.AsSpan(0, input.Length / batch), 1, size, size, output);
        long callerBytes = 0, workerBytes = 0;
        var counts = Allocations.UntilZero(() =>
        {
            long all = session.AllocatedBytes, workers = session.WorkerAllocatedBytes;
            for (int i = 0; i < 20; i++) session.Run(input.AsSpan(0, (1 + i % batch) * input.Length / batch), 1 + i % batch, size, size, output);
            workerBytes = session.WorkerAllocatedBytes - workers;
            callerBytes = session.AllocatedBytes - all - workerBytes;
            return callerBytes + workerBytes;
        });
        Assert.True(counts[^1] == 0, $"20 passes allocated {string.Join(", then ", counts)} bytes (last window: caller {callerBytes}, workers {workerBytes})");
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]   // each worker's own arena too
    public void ArenaIsPlannedAtCreationAndSufficesForAnyInputSize(int threads)
    {
        var (model, input, batch, size) = Load("mini_noresize");
        using var session = model.CreateSession(new SessionOptions { MaxBatch = 2, Threads = threads });
        int planned = session.ArenaSize;
        Assert.True(planned > 0);
        var output = new float[2 * model.Config.OutputSize];
        session.Run(input, batch, size, size, output);
        var larger = new float[2 * 3 * 77 * 90];   // both branches resized from an odd, non-square input
        session.Run(larger, 2, 77, 90, output);
        Assert.Equal(planned, session.ArenaSize);
    }

    [Fact]
    public void SessionRejectsLargerBatchesAndAnotherIsa()
    {
        var (model, input, _, size) = Load("mini_linear");
        using var session = model.CreateSession();
        var output = new float[2 * model.Config.OutputSize];
        Assert.Throws<ArgumentOutOfRangeException>(() => session.Run(input, 2, size, size, output));
        var other = model.Isa == Isa.Scalar ? Isa.V128 : Isa.Scalar;
        var e = Assert.Throws<ArgumentException>(() => model.CreateSession(new SessionOptions { Isa = other }));
        Assert.Contains(model.Isa.ToString(), e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ModelRunFromManyThreadsMatchesSequentialRuns()
    {
        var (model, input, batch, size) = Load("mini_avgpool");   // batch 3
        int per = input.Length / batch, classes = model.Config.OutputSize;
        var expected = Enumerable.Range(1, batch).Select(b => model.Run(input.AsSpan(0, b * per), b, size, size)).ToArray();
        var failures = 0;
        Parallel.For(0, 8, new ParallelOptions { MaxDegreeOfParallelism = 8 }, t =>
        {
            for (int i = 0; i < 25; i++)
            {
                int b = 1 + (t + i) % batch;
                if (!model.Run(input.AsSpan(0, b * per), b, size, size).AsSpan().SequenceEqual(expected[b - 1])) Interlocked.Increment(ref failures);
            }
        });
        Assert.Equal(0, failures);
        Assert.Equal(batch * classes, expected[^1].Length);
    }

    [Fact]
    public void ModelRunSplitsBatchesLargerThanItsSessions()
    {
        var config = TestData.Config("mini_avgpool");
        using var chunked = CrossVitModel.Load(config, TestData.Golden("mini_avgpool", "weights.safetensors"), new ModelOptions { MaxBatch = 2 });
        var input = TestData.Array("mini_avgpool", "input.npy");
        var logits = chunked.Run(input.ToFloat32(), 3, input.Shape[2], input.Shape[3]);
        TestData.AssertClose(TestData.Array("mini_avgpool", "logits.npy").ToFloat32(), logits, "batch 3 in chunks of 2");
    }
}

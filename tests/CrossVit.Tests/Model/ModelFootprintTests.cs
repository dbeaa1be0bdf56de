using CrossVit.Runtime.Config;
using CrossVit.Runtime.Engine;
using CrossVit.Runtime.Model;
using Xunit;

namespace CrossVit.Tests.Model;

/// <summary><see cref="ModelFootprint"/>'s estimate of a session's working memory, which must not fall short of what the session plans.</summary>
public sealed class ModelFootprintTests
{
    [Theory]
    [InlineData("crossvit_tiny_240", 1, 1, ImageScheduling.PerWorker)]
    [InlineData("crossvit_tiny_240", 8, 2, ImageScheduling.PerWorker)]   // 4 images on each worker's arena
    [InlineData("crossvit_tiny_240", 8, 2, ImageScheduling.Shared)]
    [InlineData("crossvit_9_dagger_240", 7, 3, ImageScheduling.PerWorker)]   // 2 on each, and an arena for the 2 left
    [InlineData("crossvit_9_dagger_240", 2, 3, ImageScheduling.PerWorker)]   // fewer images than workers: shared only
    [InlineData("crossvit_9_dagger_240", 5, 2, ImageScheduling.Shared)]
    [InlineData("crossvit_tiny_240", 16, 1, ImageScheduling.PerWorker)]   // passes of 4 images
    [InlineData("crossvit_tiny_240", 16, 2, ImageScheduling.PerWorker)]   // 8 on each worker, in passes of 4
    public void EstimateCoversTheArenasASessionPlans(string preset, int maxBatch, int threads, ImageScheduling images)
    {
        var config = Presets.Get(preset);
        using var model = RandomWeights.Load(config, seed: 0);
        var options = new SessionOptions { MaxBatch = maxBatch, Threads = threads, Images = images };
        using var session = model.CreateSession(options);
        long planned = (long)session.ArenaSize * sizeof(float), estimate = ModelFootprint.ArenaBytes(config, options);
        Assert.True(estimate >= planned, $"estimated {estimate} bytes, planned {planned}");
    }

    /// <summary>The estimate stops growing where the passes do: a lone worker takes at most PerWorkerImages.MostPerPass images in one.</summary>
    [Theory]
    [InlineData(1, 4)]
    [InlineData(2, 9)]   // 4 on each worker, and 1 shared
    public void EstimateStopsGrowingAtTheLargestPass(int threads, int largest)
    {
        var config = Presets.Get("crossvit_9_dagger_240");
        long Estimate(int maxBatch) => ModelFootprint.ArenaBytes(config, new SessionOptions { MaxBatch = maxBatch, Threads = threads });
        Assert.Equal(Estimate(largest), Estimate(64));
        Assert.True(Estimate(largest) > Estimate(largest - threads));
    }

    /// <summary>
    /// Each worker's arena holds its MaxBatch / threads images and the shared one at most threads − 1, so together
    /// little more than one shared arena: every arena has its own per-pass buffers (the input image, the stem's maps).
    /// </summary>
    [Theory]
    [InlineData(8, 2, 1.25)]   // 4 + 4 images, and 1 shared
    [InlineData(7, 3, 1.5)]    // 2 + 2 + 2, and 2 shared
    public void ArenasPerWorkerHoldLittleMoreThanOneSharedArena(int maxBatch, int threads, double most)
    {
        using var model = RandomWeights.Load(Presets.Get("crossvit_9_dagger_240"), seed: 0);
        int Planned(ImageScheduling images)
        {
            using var session = model.CreateSession(new SessionOptions { MaxBatch = maxBatch, Threads = threads, Images = images });
            return session.ArenaSize;
        }
        int perWorker = Planned(ImageScheduling.PerWorker), shared = Planned(ImageScheduling.Shared);
        Assert.InRange(perWorker, shared / 2, most * shared);
    }
}

using CrossVit.Runtime.Config;
using CrossVit.Runtime.Model;
using Xunit;

namespace CrossVit.Tests.Model;

/// <summary>The multiply-add count behind every GFLOP/s figure.</summary>
public class ModelCostTests
{
    /// <summary>
    /// Expected counts: PyTorch 1.13's profiler (<c>with_flops</c>, half the FLOPs of aten::conv2d, aten::addmm and
    /// aten::bmm) over one image through perf/compare/crossvit_torch.py, timm's layer structure. timm's model cards, rounded
    /// to 0.1 G, give 1.6, 2.0 and 9.1 GMACs for crossvit_tiny_240, crossvit_9_dagger_240 and crossvit_18_240: the last
    /// card counts a little more than these layers.
    /// </summary>
    [Theory]
    [InlineData("crossvit_tiny_240", 1_562_734_080L)]
    [InlineData("crossvit_9_dagger_240", 1_979_049_984L)]
    [InlineData("crossvit_small_240", 5_615_557_632L)]
    [InlineData("crossvit_18_240", 9_031_158_528L)]
    [InlineData("crossvit_15_dagger_408", 21_398_550_336L)]
    [InlineData("crossvit_base_240", 21_191_473_152L)]
    public void CountsWhatPyTorchsProfilerCounts(string preset, long multiplyAdds) =>
        Assert.Equal(multiplyAdds, ModelCost.MultiplyAdds(Presets.Get(preset)));
}

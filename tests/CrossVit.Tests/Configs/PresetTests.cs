using CrossVit.Runtime.Config;
using CrossVit.Runtime.Model;
using Xunit;

namespace CrossVit.Tests.Configs;

public class PresetTests
{
    [Theory]
    [InlineData("crossvit_tiny_240", 7_014_800)]
    [InlineData("crossvit_small_240", 26_856_272)]
    [InlineData("crossvit_base_240", 105_025_232)]
    [InlineData("crossvit_9_240", 8_553_296)]
    [InlineData("crossvit_15_240", 27_528_464)]
    [InlineData("crossvit_18_240", 43_271_408)]
    [InlineData("crossvit_9_dagger_240", 8_776_592)]
    [InlineData("crossvit_15_dagger_240", 28_209_008)]
    [InlineData("crossvit_18_dagger_240", 44_266_976)]
    [InlineData("crossvit_15_dagger_408", 28_500_080)]
    [InlineData("crossvit_18_dagger_408", 44_606_560)]
    public void ParameterCountEqualsTimm(string preset, long parameters) =>
        Assert.Equal(parameters, CheckpointLayout.ParameterCount(Presets.Get(preset)));

    [Theory]
    [InlineData("crossvit_tiny", "crossvit_tiny_240")]
    [InlineData("crossvit_18_dagger", "crossvit_18_dagger_240")]
    [InlineData("timm/crossvit_9_dagger_240.in1k", "crossvit_9_dagger_240")]
    public void ShortAndHubNamesResolve(string name, string timmName) =>
        Assert.Equal(Presets.Get(timmName), Presets.Get(name));

    [Fact]
    public void PresetsHaveTimmsSizesAndCropPct()
    {
        foreach (var name in Presets.Names)
        {
            var c = Presets.Get(name);
            bool is408 = name.EndsWith("_408", StringComparison.Ordinal);
            Assert.Equal(is408 ? [408, 384] : new[] { 240, 224 }, c.ImgSize);
            Assert.Equal([12, 16], c.PatchSize);
            Assert.Equal(1e-6, c.NormEps);
            Assert.True(c.QkvBias);
            Assert.Equal(is408 ? 1.0 : 0.875, c.CropPct);
            Assert.Equal(name, Presets.Match(c));
        }
    }

    [Fact]
    public void UnknownPresetListsTheKnownOnes()
    {
        var e = Assert.Throws<ArgumentException>(() => Presets.Get("crossvit_99"));
        Assert.Contains("crossvit_9_dagger_240", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void MatchIgnoresClassCountButNotArchitecture()
    {
        var c = Presets.Get("crossvit_9_240");
        Assert.Equal("crossvit_9_240", Presets.Match(c with { NumClasses = 10 }));
        Assert.Null(Presets.Match(c with { QkvBias = false }));
    }
}

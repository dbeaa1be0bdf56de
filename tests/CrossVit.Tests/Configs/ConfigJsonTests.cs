using CrossVit.Runtime.Config;
using Xunit;

namespace CrossVit.Tests.Configs;

public class ConfigJsonTests
{
    [Theory]
    [MemberData(nameof(Model.GoldenTests.Cases), MemberType = typeof(Model.GoldenTests))]
    public void GoldenConfigsParseAndRoundTrip(string name)
    {
        var config = TestData.Config(name);
        Assert.Equal(config, CrossVitConfigJson.Parse(CrossVitConfigJson.Write(config)));
    }

    [Fact]
    public void GoldenConfigFieldsAreRead()
    {
        var c = TestData.Config("mini_fusion");
        Assert.Equal([96, 80], c.ImgSize);
        Assert.Equal([32, 64], c.EmbedDim);
        Assert.Equal([2, 1, 1], c.Depth[1]);
        Assert.Equal([2.0, 3.0, 1.0], c.MlpRatio);
        Assert.False(c.QkvBias);
        Assert.Null(c.QkScale);
        Assert.Equal(GlobalPool.Avg, TestData.Config("mini_avgpool").GlobalPool);
        Assert.True(TestData.Config("mini_dagger").MultiConv);
    }

    [Fact]
    public void HuggingFaceConfigIsPresetPlusOverrides()
    {
        const string json = """
            {"architecture": "crossvit_9_dagger_240", "num_classes": 10, "num_features": 256, "global_pool": "avg",
             "pretrained_cfg": {"tag": "in1k", "input_size": [3, 240, 240], "crop_pct": 0.9, "interpolation": "bicubic"}}
            """;
        var c = CrossVitConfigJson.Parse(json);
        Assert.Equal(Presets.Get("crossvit_9_dagger_240") with { NumClasses = 10, GlobalPool = GlobalPool.Avg, CropPct = 0.9 }, c);
    }

    [Fact]
    public void NormalizationComesFromEitherSchemaAndRoundTrips()
    {
        var hub = CrossVitConfigJson.Parse("""
            {"architecture": "crossvit_tiny_240", "model_args": {"in_chans": 1},
             "pretrained_cfg": {"mean": [0.5], "std": 0.25, "crop_pct": 0.9}}
            """);
        Assert.Equal(1, hub.InChannels);
        Assert.Equal([0.5], hub.Mean);
        Assert.Equal([0.25], hub.Std);
        Assert.Equal(hub, CrossVitConfigJson.Parse(CrossVitConfigJson.Write(hub)));
        Assert.Null(Presets.Get("crossvit_tiny_240").Mean);
        Assert.DoesNotContain("\"mean\"", CrossVitConfigJson.Write(Presets.Get("crossvit_tiny_240")), StringComparison.Ordinal);
    }

    [Fact]
    public void SingleImgSizeAndMlpRatioApplyToEveryBranch()
    {
        var c = CrossVitConfigJson.Parse("""
            {"img_size": 64, "patch_size": [8, 16], "embed_dim": [16, 32], "depth": [[1, 1, 0]], "num_heads": [2, 2], "mlp_ratio": 2}
            """);
        Assert.Equal([64, 64], c.ImgSize);
        Assert.Equal([2.0, 2.0], c.MlpRatio);
    }

    private const string Valid = """
        "img_size": [96, 80], "patch_size": [12, 16], "embed_dim": [32, 64], "depth": [[1, 2, 0]], "num_heads": [4, 4], "mlp_ratio": [2, 2, 1]
        """;

    [Theory]
    [InlineData("\"embed_dim\": [30, 64]", "embed_dim")]            // 30 not divisible by 4 heads
    [InlineData("\"num_heads\": [4, 4, 4]", "num_heads")]           // list lengths disagree
    [InlineData("\"depth\": [[1, 2]]", "depth")]
    [InlineData("\"img_size\": [90, 80]", "img_size")]              // 90 not tiled by 12
    [InlineData("\"img_size\": [0, 80]", "img_size")]
    [InlineData("\"patch_size\": [12, -16]", "patch_size")]
    [InlineData("\"multi_conv\": true, \"patch_size\": [8, 16], \"img_size\": [96, 80]", "multi_conv")]
    [InlineData("\"multi_conv\": true, \"embed_dim\": [30, 62], \"num_heads\": [2, 2]", "multi_conv")]
    [InlineData("\"global_pool\": \"max\"", "global_pool")]
    [InlineData("\"interpolation\": \"nearest\"", "interpolation")]
    [InlineData("\"qk_scale\": -1", "qk_scale")]
    [InlineData("\"norm_eps\": 0", "norm_eps")]
    [InlineData("\"qkv_bias\": 1", "qkv_bias")]
    [InlineData("\"depth_typo\": 3", "depth_typo")]
    [InlineData("\"mlp_ratio\": [2]", null)]                        // a single ratio is fine
    [InlineData("\"std\": [0.2, 0, 0.2]", "std")]
    [InlineData("\"mean\": []", "mean")]
    [InlineData("\"mean\": \"imagenet\"", "mean")]
    [InlineData("\"mean\": [0.5, 0.5]", null)]                      // checked against the channels only to classify images
    public void InvalidFieldsAreNamed(string overrideJson, string? field)
    {
        // Later duplicate keys override earlier ones in Apply's single pass.
        string json = $"{{{Valid}, {overrideJson}}}";
        if (field is null)
        {
            CrossVitConfigJson.Parse(json);
            return;
        }
        var e = Assert.Throws<ArgumentException>(() => CrossVitConfigJson.Parse(json));
        Assert.Equal(field, e.ParamName);
        Assert.Contains(field, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void NotJsonIsAnArgumentException() =>
        Assert.Throws<ArgumentException>(() => CrossVitConfigJson.Parse("{ not json"));
}

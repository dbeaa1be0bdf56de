using CrossVit.Runtime.Config;
using CrossVit.Weights;

namespace CrossVit.Tests;

/// <summary>The golden cases computed with timm (copied from shared/golden) and the extra reference cases.</summary>
internal static class TestData
{
    public static string Golden(params string[] parts) =>
        Path.Combine([AppContext.BaseDirectory, "data", "golden", .. parts]);

    public static readonly string[] Cases =
        ["crossvit_9_dagger_240", "mini_linear", "mini_dagger", "mini_fusion", "mini_avgpool", "mini_noresize"];

    /// <summary>Options the golden cases do not cover, from perf/compare's PyTorch CrossViT in float64 (data/reference/generate.py).</summary>
    public static readonly string[] ReferenceCases =
        ["three_branch", "crop_scale", "bilinear_qk_scale", "three_branch_dagger", "one_branch_gray_features", "four_channel_dagger_crop"];

    public static string Reference(params string[] parts) =>
        Path.Combine([AppContext.BaseDirectory, "data", "reference", .. parts]);

    public static CrossVitConfig Config(string name) => CrossVitConfigJson.Load(Golden(name, "config.json"));

    public static NpyArray Array(string name, string file) => Npy.Read(Golden(name, file));

    /// <summary>The bar of shared/README: max|got − ref| ≤ 1e-4 · max(1, max|ref|).</summary>
    public static void AssertClose(ReadOnlySpan<float> expected, ReadOnlySpan<float> actual, string what)
    {
        Xunit.Assert.Equal(expected.Length, actual.Length);
        float scale = 1, worst = 0;
        int at = 0;
        for (int i = 0; i < expected.Length; i++)
        {
            scale = Math.Max(scale, Math.Abs(expected[i]));
            float d = Math.Abs(expected[i] - actual[i]);
            if (!(d <= worst)) { worst = d; at = i; }
        }
        Xunit.Assert.True(worst <= 1e-4f * scale,
            $"{what}: max |difference| {worst:G4} at {at} (expected {expected[at]}, got {actual[at]}) exceeds 1e-4 · {scale:G4}");
    }
}

using System.Text.Json;
using CrossVit.Weights;
using Xunit;

namespace CrossVit.Tests.Weights;

/// <summary>The checked-in golden files (F32, F16 and BF16 weights, float32 and uint8 arrays) read with the expected shapes.</summary>
public class GoldenFileTests
{
    public static TheoryData<string> Cases() =>
        [.. Directory.GetDirectories(TestData.Golden()).Select(d => Path.GetFileName(d)).Where(c => c != "images")];

    public static TheoryData<string> Images() =>
        [.. Directory.GetFiles(TestData.Golden("images"), "*.rgb.npy").Select(p => Path.GetFileName(p)[..^".rgb.npy".Length])];

    [Theory]
    [MemberData(nameof(Cases))]
    public void EveryManifestTensorIsPresentWithItsShapeAndFiniteData(string name)
    {
        string dir = TestData.Golden(name);
        var manifest = JsonDocument.Parse(File.ReadAllText(Path.Combine(dir, "manifest.json")));
        using var file = SafetensorsFile.Open(Path.Combine(dir, "weights.safetensors"));

        foreach (var entry in manifest.RootElement.EnumerateObject())
        {
            Assert.True(file.TryGetTensor(entry.Name, out var info), $"{name}: tensor '{entry.Name}' is missing");
            Assert.Equal(entry.Value.EnumerateArray().Select(d => d.GetInt64()), info.Shape);
            Assert.All(file.ReadFloat32(entry.Name), v => Assert.True(float.IsFinite(v), $"{name}: '{entry.Name}' has {v}"));
        }
    }

    [Theory]
    [InlineData("crossvit_9_dagger_240", DType.F16)]
    [InlineData("mini_avgpool", DType.BF16)]
    [InlineData("mini_dagger", DType.F32)]
    public void GoldenWeightsUseTheExpectedDtype(string name, DType dtype)
    {
        using var file = SafetensorsFile.Open(TestData.Golden(name, "weights.safetensors"));
        Assert.All(file.Tensors, t => Assert.Equal(dtype, t.DType));
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void InputAndLogitsAreFloat32Arrays(string name)
    {
        var input = Npy.Read(TestData.Golden(name, "input.npy"));
        var logits = Npy.Read(TestData.Golden(name, "logits.npy"));

        Assert.Equal("<f4", input.Descr);
        Assert.Equal(4, input.Shape.Count);
        Assert.Equal(3, input.Shape[1]);
        Assert.Equal(2, logits.Shape.Count);
        Assert.Equal(input.Shape[0], logits.Shape[0]);
        Assert.All(logits.ToFloat32(), v => Assert.True(float.IsFinite(v)));
    }

    [Theory]
    [MemberData(nameof(Images))]
    public void ImageArraysHaveTheExpectedShapes(string image)
    {
        var rgb = Npy.Read(TestData.Golden("images", image + ".rgb.npy"));
        Assert.Equal("|u1", rgb.Descr);
        Assert.Equal(3, rgb.Shape.Count);
        Assert.Equal(3, rgb.Shape[2]);
        Assert.Equal(rgb.ElementCount, rgb.ToUInt8().Length);

        var resized = Npy.Read(TestData.Golden("images", image + ".240.npy"));
        Assert.Equal("<f4", resized.Descr);
        Assert.Equal([1, 3, 240, 240], resized.Shape);
        Assert.Equal(3 * 240 * 240, resized.ToFloat32().Length);
    }
}

using CrossVit.Runtime.Config;
using CrossVit.Runtime.Model;
using CrossVit.Weights;
using Xunit;

namespace CrossVit.Tests.Model;

public class CheckpointTests
{
    [Theory]
    [MemberData(nameof(GoldenTests.Cases), MemberType = typeof(GoldenTests))]
    public void LayoutEqualsTimmsManifest(string name)
    {
        using var doc = System.Text.Json.JsonDocument.Parse(File.ReadAllText(TestData.Golden(name, "manifest.json")));
        var manifest = doc.RootElement.EnumerateObject()
            .ToDictionary(p => p.Name, p => p.Value.EnumerateArray().Select(e => e.GetInt32()).ToArray());
        var layout = CheckpointLayout.Tensors(TestData.Config(name)).ToDictionary(t => t.Name, t => t.Shape.ToArray());
        Assert.Equal(manifest.Keys.Order(), layout.Keys.Order());
        foreach (var (tensor, shape) in manifest) Assert.Equal(shape, layout[tensor]);
    }

    private static readonly CrossVitConfig Mini = TestData.Config("mini_linear");

    private static SafetensorsFile Build(Func<string, string?> rename, Func<TensorSpec, int[]>? reshape = null, CrossVitConfig? config = null)
    {
        var writer = new SafetensorsWriter();
        foreach (var spec in CheckpointLayout.Tensors(config ?? Mini))
        {
            if (rename(spec.Name) is not { } name) continue;
            var shape = reshape?.Invoke(spec) ?? spec.Shape.ToArray();
            writer.Add(name, DType.F32, shape.Select(d => (long)d).ToArray(), new float[shape.Aggregate(1, (a, d) => a * d)]);
        }
        return SafetensorsFile.FromBytes(writer.ToArray());
    }

    [Fact]
    public void MissingUnexpectedAndWronglyShapedAreAllListedInOneError()
    {
        using var file = Build(
            n => n switch { "norm.0.bias" => null, "head.1.bias" => "head.1.bias_typo", _ => n },
            s => s.Name == "blocks.0.blocks.1.0.mlp.fc1.weight" ? [7, 64] : s.Shape.ToArray());
        var e = Assert.Throws<CheckpointMismatchException>(() => CrossVitModel.Load(Mini, file));
        Assert.Contains("missing (2)", e.Message, StringComparison.Ordinal);
        Assert.Contains("norm.0.bias", e.Message, StringComparison.Ordinal);
        Assert.Contains("unexpected (1)", e.Message, StringComparison.Ordinal);
        Assert.Contains("head.1.bias_typo", e.Message, StringComparison.Ordinal);
        Assert.Contains("blocks.0.blocks.1.0.mlp.fc1.weight: [7, 64], expected [192, 64]", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void IbmSpellingAndModulePrefixAreAccepted()
    {
        using var file = Build(n => "module." + (n.StartsWith("pos_embed_", StringComparison.Ordinal) || n.StartsWith("cls_token_", StringComparison.Ordinal)
            ? n.Replace('_', '.').Replace("pos.embed", "pos_embed", StringComparison.Ordinal).Replace("cls.token", "cls_token", StringComparison.Ordinal) : n));
        Assert.Contains(file.Tensors, t => t.Name == "module.pos_embed.0");
        Assert.True(CrossVitModel.Matches(Mini, file));
    }

    [Fact]
    public void AbsentProjectionsBetweenEqualWidthsAreIdentity()
    {
        var equal = Mini with { EmbedDim = [32, 32] };
        using var lucid = Build(n => n.Contains(".projs.", StringComparison.Ordinal) || n.Contains(".revert_projs.", StringComparison.Ordinal) ? null : n, config: equal);
        var model = CrossVitModel.Load(equal, lucid);
        var y = model.Run(new float[2 * 3 * 96 * 96], 2, 96, 96);
        Assert.All(y, v => Assert.True(float.IsFinite(v)));

        // Where widths differ the projections are required.
        using var missing = Build(n => n.Contains(".projs.", StringComparison.Ordinal) ? null : n);
        var e = Assert.Throws<CheckpointMismatchException>(() => CrossVitModel.Load(Mini, missing));
        Assert.Contains("blocks.0.projs.0.2.weight", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void PartlyPresentProjectionIsMissingNotIdentity()
    {
        var equal = Mini with { EmbedDim = [32, 32], Depth = [[1, 1, 0]] };
        using var partial = Build(n => n.StartsWith("blocks.0.projs.0.2", StringComparison.Ordinal) ? null : n, config: equal);
        var e = Assert.Throws<CheckpointMismatchException>(() => CrossVitModel.Load(equal, partial));
        Assert.Contains("blocks.0.projs.0.2.weight", e.Message, StringComparison.Ordinal);
    }
}

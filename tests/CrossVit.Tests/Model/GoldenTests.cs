using CrossVit.Runtime.Config;
using CrossVit.Runtime.Kernels;
using CrossVit.Runtime.Model;
using CrossVit.Tests.Kernels;
using CrossVit.Weights;
using Xunit;

namespace CrossVit.Tests.Model;

/// <summary>
/// Forward passes against timm's, computed in float64 (shared/golden), and against perf/compare's PyTorch CrossViT for
/// the options those cases do not cover (data/reference), under every ISA this CPU runs.
/// </summary>
public class GoldenTests
{
    public static TheoryData<string, Isa> CasesAndIsas() => WithEveryIsa(TestData.Cases);

    public static TheoryData<string, Isa> ReferenceCasesAndIsas() => WithEveryIsa(TestData.ReferenceCases);

    private static TheoryData<string, Isa> WithEveryIsa(string[] cases)
    {
        var data = new TheoryData<string, Isa>();
        foreach (var c in cases)
        {
            foreach (var isa in KernelTestSupport.Isas)
                data.Add(c, isa);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(CasesAndIsas))]
    public void LogitsMatchTimm(string name, Isa isa)
    {
        var model = CrossVitModel.Load(TestData.Config(name), TestData.Golden(name, "weights.safetensors"), new ModelOptions { Isa = isa });
        var input = TestData.Array(name, "input.npy");
        var expected = TestData.Array(name, "logits.npy");
        var logits = model.Run(input.ToFloat32(), input.Shape[0], input.Shape[2], input.Shape[3]);
        TestData.AssertClose(expected.ToFloat32(), logits, $"{name} logits on {isa}");
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void FeaturesMatchTimmWhenNumClassesIsZero(string name)
    {
        var config = TestData.Config(name) with { NumClasses = 0 };
        using var full = SafetensorsFile.Open(TestData.Golden(name, "weights.safetensors"));
        var headless = new SafetensorsWriter();
        foreach (var t in full.Tensors.Where(t => !t.Name.StartsWith("head.", StringComparison.Ordinal)))
            headless.Add(t.Name, DType.F32, t.Shape, full.ReadFloat32(t.Name));
        using var file = SafetensorsFile.FromBytes(headless.ToArray());
        var model = CrossVitModel.Load(config, file);
        var input = TestData.Array(name, "input.npy");
        var features = model.Run(input.ToFloat32(), input.Shape[0], input.Shape[2], input.Shape[3]);
        TestData.AssertClose(TestData.Array(name, "features.npy").ToFloat32(), features, $"{name} features");
    }

    public static TheoryData<string> Cases() => new(TestData.Cases);

    /// <summary>The cases whose reference stored its per-layer activations (the mini ones), under every ISA this CPU runs.</summary>
    public static TheoryData<string, Isa> CasesWithActivationsAndIsas() =>
        WithEveryIsa([.. TestData.Cases.Where(c => File.Exists(TestData.Golden(c, "act_patch_embed0.npy")))]);

    /// <summary>
    /// Every branch's tokens after the patch embedding and after each multi-scale stage against timm's, each within the
    /// golden bar, so a numerical regression fails at the first layer it reaches rather than only in the logits.
    /// </summary>
    [Theory]
    [MemberData(nameof(CasesWithActivationsAndIsas))]
    public void EachLayerMatchesTimm(string name, Isa isa)
    {
        var config = TestData.Config(name);
        using var weights = SafetensorsFile.Open(TestData.Golden(name, "weights.safetensors"));
        using var model = CrossVitModel.Load(config, weights, new ModelOptions { Isa = isa });
        var input = TestData.Array(name, "input.npy");
        int batch = input.Shape[0];
        var observed = new Dictionary<(int Stage, int Branch), float[]>();
        model.TokenObserver = (stage, branch, tokens) => observed[(stage, branch)] = tokens.ToArray();
        model.Run(input.ToFloat32(), batch, input.Shape[2], input.Shape[3]);

        for (int i = 0; i < config.Branches; i++)
        {
            // timm's patch_embed output is [B, patches, dim]; here it is added onto the position embedding, behind the CLS row.
            int dim = config.EmbedDim[i], tokens = 1 + config.NumPatches(i);
            var position = weights.ReadFloat32($"pos_embed_{i}");
            var embedded = observed[(-1, i)];
            var patches = new float[batch * (tokens - 1) * dim];
            for (int b = 0; b < batch; b++)
            {
                for (int t = 1; t < tokens; t++)
                {
                    for (int c = 0; c < dim; c++)
                        patches[(b * (tokens - 1) + t - 1) * dim + c] = embedded[(b * tokens + t) * dim + c] - position[t * dim + c];
                }
            }

            TestData.AssertClose(TestData.Array(name, $"act_patch_embed{i}.npy").ToFloat32(), patches, $"{name} patch_embed.{i} on {isa}");
        }
        for (int stage = 0; stage < config.Depth.Count; stage++)
        {
            for (int i = 0; i < config.Branches; i++)
                TestData.AssertClose(TestData.Array(name, $"act_block{stage}_branch{i}.npy").ToFloat32(), observed[(stage, i)], $"{name} blocks.{stage} branch {i} on {isa}");
        }
    }

    [Theory]
    [MemberData(nameof(ReferenceCasesAndIsas))]
    public void OptionsBeyondTheGoldenCasesMatchTheReference(string name, Isa isa)
    {
        var config = CrossVitConfigJson.Load(TestData.Reference(name, "config.json"));
        using var model = CrossVitModel.Load(config, TestData.Reference(name, "weights.safetensors"), new ModelOptions { Threads = 2, Isa = isa });
        var input = Npy.Read(TestData.Reference(name, "input.npy"));
        var logits = model.Run(input.ToFloat32(), input.Shape[0], input.Shape[2], input.Shape[3]);
        TestData.AssertClose(Npy.Read(TestData.Reference(name, "logits.npy")).ToFloat32(), logits, $"{name} on {isa}");
    }

    [Fact]
    public void EachImageOfABatchGetsItsOwnResult()
    {
        const string name = "mini_avgpool";
        var model = CrossVitModel.Load(TestData.Config(name), TestData.Golden(name, "weights.safetensors"));
        var input = TestData.Array(name, "input.npy");
        var x = input.ToFloat32();
        int per = x.Length / input.Shape[0], classes = model.Config.NumClasses;
        var batched = model.Run(x, input.Shape[0], input.Shape[2], input.Shape[3]);
        for (int b = 0; b < input.Shape[0]; b++)
        {
            var single = model.Run(x.AsSpan(b * per, per), 1, input.Shape[2], input.Shape[3]);
            TestData.AssertClose(batched.AsSpan(b * classes, classes), single, $"image {b} alone");
        }
    }
}

using CrossVit.Runtime.Config;
using CrossVit.Runtime.Kernels;
using CrossVit.Runtime.Model;
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
            foreach (var isa in Enum.GetValues<Isa>().Where(IsaSupport.IsSupported))
                data.Add(c, isa);
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

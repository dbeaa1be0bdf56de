using Xunit;

namespace CrossVit.Tests.Fuzzing;

/// <summary>
/// The long fuzz run, on demand (see <see cref="LongFuzzFactAttribute"/>): <see cref="FuzzHarness.LongCases"/> cases
/// per format of the same inputs as <see cref="QuickFuzzTests"/>.
/// </summary>
[Trait("Category", "LongFuzz")]
public class LongFuzzTests
{
    [LongFuzzFact]
    public void Safetensors() => FuzzHarness.Run(FuzzTargets.Safetensors, FuzzHarness.LongCases);

    [LongFuzzFact]
    public void Npy() => FuzzHarness.Run(FuzzTargets.Npy, FuzzHarness.LongCases);

    [LongFuzzFact]
    public void ConfigJson() => FuzzHarness.Run(FuzzTargets.Config, FuzzHarness.LongCases);

    [LongFuzzFact]
    public void Png() => FuzzHarness.Run(FuzzTargets.Png, FuzzHarness.LongCases);

    [LongFuzzFact]
    public void Jpeg() => FuzzHarness.Run(FuzzTargets.Jpeg, FuzzHarness.LongCases);

    [LongFuzzFact]
    public void Bmp() => FuzzHarness.Run(FuzzTargets.Bmp, FuzzHarness.LongCases);

    [LongFuzzFact]
    public void Pnm() => FuzzHarness.Run(FuzzTargets.Pnm, FuzzHarness.LongCases);
}

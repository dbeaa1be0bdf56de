using Xunit;

namespace CrossVit.Tests.Fuzzing;

/// <summary>
/// Hostile input, part of every test run: <see cref="FuzzHarness.QuickCases"/> cases per format, mutated seeds and
/// generated files (see <see cref="FuzzTargets"/>). Inputs are random on every run; a failure prints its input.
/// </summary>
public class QuickFuzzTests
{
    [Fact]
    public void Safetensors() => FuzzHarness.Run(FuzzTargets.Safetensors, FuzzHarness.QuickCases);

    [Fact]
    public void Npy() => FuzzHarness.Run(FuzzTargets.Npy, FuzzHarness.QuickCases);

    [Fact]
    public void ConfigJson() => FuzzHarness.Run(FuzzTargets.Config, FuzzHarness.QuickCases);

    [Fact]
    public void Png() => FuzzHarness.Run(FuzzTargets.Png, FuzzHarness.QuickCases);

    [Fact]
    public void Jpeg() => FuzzHarness.Run(FuzzTargets.Jpeg, FuzzHarness.QuickCases);

    [Fact]
    public void Bmp() => FuzzHarness.Run(FuzzTargets.Bmp, FuzzHarness.QuickCases);

    [Fact]
    public void Pnm() => FuzzHarness.Run(FuzzTargets.Pnm, FuzzHarness.QuickCases);
}

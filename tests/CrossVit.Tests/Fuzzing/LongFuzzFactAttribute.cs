using Xunit;

namespace CrossVit.Tests.Fuzzing;

/// <summary>
/// A fact of the long fuzz run (<see cref="FuzzHarness.LongCases"/> cases per format, minutes): it skips itself unless
/// <c>CROSSVIT_LONG_FUZZ=1</c>, because CI runs the whole solution without a filter. Run it with
/// <c>CROSSVIT_LONG_FUZZ=1 dotnet test tests/CrossVit.Tests -c Release --filter Category=LongFuzz</c>.
/// </summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class LongFuzzFactAttribute : FactAttribute
{
    public const string EnvironmentVariable = "CROSSVIT_LONG_FUZZ";

    public LongFuzzFactAttribute()
    {
        if (Environment.GetEnvironmentVariable(EnvironmentVariable) != "1")
            Skip = $"Long fuzzing runs on demand: set {EnvironmentVariable}=1 and run dotnet test --filter Category=LongFuzz.";
    }
}

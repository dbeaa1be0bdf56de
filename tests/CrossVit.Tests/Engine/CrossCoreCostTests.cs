using CrossVit.Runtime.Threading;
using Xunit;

namespace CrossVit.Tests.Engine;

/// <summary>The cross-core probe that `crossvit bench` runs around two-thread timings.</summary>
public class CrossCoreCostTests
{
    [Fact]
    public void MeasuresPositiveFiniteCostsAndCanRunAgain()
    {
        for (int i = 0; i < 2; i++)   // each measurement starts and disposes its own pool
        {
            var cost = CrossCoreCost.Measure();
            Assert.True(double.IsFinite(cost.RoundTripMicroseconds) && cost.RoundTripMicroseconds > 0, $"round trip {cost.RoundTripMicroseconds}");
            Assert.True(double.IsFinite(cost.HandOverMicroseconds) && cost.HandOverMicroseconds > 0, $"hand-over {cost.HandOverMicroseconds}");
        }
    }
}

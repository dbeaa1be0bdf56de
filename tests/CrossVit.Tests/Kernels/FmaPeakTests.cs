using CrossVit.Runtime.Kernels;
using Xunit;

namespace CrossVit.Tests.Kernels;

/// <summary>The peak probe that <c>crossvit bench</c> reads its fraction of peak against.</summary>
public class FmaPeakTests
{
    [Theory]
    [MemberData(nameof(KernelTestSupport.SupportedIsas), MemberType = typeof(KernelTestSupport))]
    public void EveryWidthRunsTheScalarLoopInEachLane(Isa isa)
    {
        // Each lane holds the scalar loop's 16 accumulators; the lanes are equal, so their sum is exact.
        int lanes = (int)(FmaPeak.LoopFlops(isa) / FmaPeak.LoopFlops(Isa.Scalar));
        Assert.Equal(isa switch { Isa.Avx512 => 16, Isa.Avx2 => 8, Isa.V128 or Isa.Neon => 4, _ => 1 }, lanes);
        Assert.Equal(FmaPeak.Loop(Isa.Scalar) * lanes, FmaPeak.Loop(isa));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    public void MeasuresAPositiveThroughputOnAnyNumberOfThreads(int threads)
    {
        var (median, best) = FmaPeak.Measure(IsaSupport.Best, threads, rounds: 3);
        Assert.True(double.IsFinite(best) && median > 0 && median <= best, $"median {median}, best {best}");
    }

    [Fact]
    public void RejectsNoThreadsOrNoRounds()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => FmaPeak.Measure(Isa.Scalar, 0, 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => FmaPeak.Measure(Isa.Scalar, 1, 0));
    }
}

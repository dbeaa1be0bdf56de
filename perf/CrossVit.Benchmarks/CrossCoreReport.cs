using CrossVit.Runtime.Threading;

namespace CrossVit.Benchmarks;

/// <summary>
/// `cores` mode, and the first line of `quick`: <see cref="CrossCoreCost"/>, what the two vCPUs cost each other now.
/// Run it next to a two-thread benchmark to see which state of the host that benchmark met.
/// </summary>
internal static class CrossCoreReport
{
    public static void Run()
    {
        var cost = CrossCoreCost.Measure();
        Console.WriteLine($"worker pool, 2 threads: empty job round trip median {cost.RoundTripMicroseconds:F2} us | 64 KB hand-over median {cost.HandOverMicroseconds:F2} us");
    }
}

namespace CrossVit.Tests;

/// <summary>Measuring steady-state allocation with <see cref="GC.GetAllocatedBytesForCurrentThread"/>.</summary>
internal static class Allocations
{
    /// <summary>
    /// Runs <paramref name="window"/>, which returns the bytes allocated while it ran, until it reports 0, at most three
    /// times, and returns every count. The counter occasionally reports a few KB that nothing allocated when a GC
    /// (started by tests running in parallel) falls in the window; the runtime's own test of the API allows for it
    /// (dotnet/runtime#13502, #63487). An allocation the code under test really makes shows up in every window.
    /// </summary>
    public static IReadOnlyList<long> UntilZero(Func<long> window)
    {
        var counts = new List<long>();
        do
        {
            counts.Add(window());
        }
        while (counts[^1] != 0 && counts.Count < 3);
        return counts;
    }
}

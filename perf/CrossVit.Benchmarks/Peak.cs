using CrossVit.Runtime.Kernels;

namespace CrossVit.Benchmarks;

/// <summary>
/// The single-thread peak a kernel's GFLOP/s is read against: <see cref="FmaPeak"/>'s register-only FMA loop, measured
/// once per ISA and process (the median of 20 runs), as <c>crossvit bench</c> and <c>crossvit profile</c> do.
/// </summary>
internal static class Peak
{
    private static readonly Dictionary<Isa, double> Measured = [];

    public static double Gflops(Isa isa)
    {
        lock (Measured)
        {
            if (!Measured.TryGetValue(isa, out var gflops))
            {
                gflops = FmaPeak.Measure(isa, threads: 1, rounds: 20).MedianGflops;
                Measured[isa] = gflops;
            }

            return gflops;
        }
    }
}

using CrossVit.Runtime.Kernels;

namespace CrossVit.Benchmarks;

/// <summary>
/// Nominal single-core FP32 peak used for "fraction of peak": 2 FMA pipes × lanes × 2 FLOPs per cycle at the
/// clock given by CROSSVIT_PEAK_GHZ (default 3.0, this VM's nominal clock).
/// </summary>
internal static class Peak
{
    public static double Ghz => double.TryParse(Environment.GetEnvironmentVariable("CROSSVIT_PEAK_GHZ"), System.Globalization.CultureInfo.InvariantCulture, out var g) ? g : 3.0;

    public static double Gflops(Isa isa) => 2 * 2 * Ghz * isa switch
    {
        Isa.Avx512 => 16,
        Isa.Avx2 => 8,
        Isa.V128 or Isa.Neon => 4,
        _ => 1,
    };
}

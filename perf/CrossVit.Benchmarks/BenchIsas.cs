using CrossVit.Runtime.Kernels;

namespace CrossVit.Benchmarks;

/// <summary>
/// ISA levels the benchmarks run: those this CPU supports, narrowed by CROSSVIT_BENCH_ISAS (comma-separated
/// names as for CROSSVIT_ISA) so a run on a shared machine can stay short.
/// </summary>
internal static class BenchIsas
{
    public static IEnumerable<Isa> All
    {
        get
        {
            var supported = Enum.GetValues<Isa>().Where(IsaSupport.IsSupported);
            var filter = Environment.GetEnvironmentVariable("CROSSVIT_BENCH_ISAS");
            return string.IsNullOrWhiteSpace(filter)
                ? supported
                : filter.Split(',').Select(name => IsaSupport.Parse(name) ?? throw new ArgumentException("Empty ISA name in CROSSVIT_BENCH_ISAS.")).Where(supported.Contains);
        }
    }
}

using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;
using CrossVit.Runtime.Kernels;

namespace CrossVit.Benchmarks;

/// <summary>GFLOP/s (or GB/s) from the median time, and the fraction of <see cref="Peak"/> for compute kernels.</summary>
internal sealed class ThroughputColumn(bool fractionOfPeak) : IColumn
{
    public string Id => fractionOfPeak ? "PeakFraction" : "Throughput";

    public string ColumnName => fractionOfPeak ? "Peak" : "Throughput";

    public bool AlwaysShow => true;

    public ColumnCategory Category => ColumnCategory.Custom;

    public int PriorityInCategory => fractionOfPeak ? 1 : 0;

    public bool IsNumeric => true;

    public UnitType UnitType => UnitType.Dimensionless;

    public string Legend => fractionOfPeak ? "Fraction of the FMA loop on one thread of this machine (FmaPeak, measured when the table is printed)" : "GFLOP/s at the median time (GB/s for the bandwidth-bound LayerNorm and GELU)";

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase) => GetValue(summary, benchmarkCase, SummaryStyle.Default);

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase, SummaryStyle style)
    {
        var report = summary[benchmarkCase];
        if (report?.ResultStatistics is not { } stats || Activator.CreateInstance(benchmarkCase.Descriptor.Type) is not IThroughput bench)
        {
            return "-";
        }

        bench.Isa = (Isa)benchmarkCase.Parameters["Isa"];
        bench.Shape = (string)benchmarkCase.Parameters["Shape"];
        var perSecond = bench.Work / (stats.Median * 1e-9) / 1e9;
        if (!fractionOfPeak)
        {
            return perSecond.ToString("F1", System.Globalization.CultureInfo.InvariantCulture);
        }

        return bench.IsBandwidth ? "-" : (perSecond / Peak.Gflops(bench.Isa)).ToString("P0", System.Globalization.CultureInfo.InvariantCulture);
    }

    public bool IsAvailable(Summary summary) => true;

    public bool IsDefault(Summary summary, BenchmarkCase benchmarkCase) => false;
}

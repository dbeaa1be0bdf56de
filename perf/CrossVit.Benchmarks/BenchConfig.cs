using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;

namespace CrossVit.Benchmarks;

/// <summary>A short job (the machine is shared: few iterations, medians) plus the throughput columns.</summary>
internal sealed class BenchConfig : ManualConfig
{
    public BenchConfig()
    {
        AddJob(Job.ShortRun.WithWarmupCount(2).WithIterationCount(5).WithLaunchCount(1));
        AddColumn(new ThroughputColumn(false), new ThroughputColumn(true));
        AddColumn(BenchmarkDotNet.Columns.StatisticColumn.Median);
        // Whole model names (crossvit_18_dagger_240), not the default's 20 characters.
        WithSummaryStyle(BenchmarkDotNet.Reports.SummaryStyle.Default.WithMaxParameterColumnWidth(32));
    }
}

using BenchmarkDotNet.Running;
using CrossVit.Benchmarks;

// `quick [isa...]`: seconds-long median timings for tuning; anything else goes to BenchmarkDotNet.
if (args.Length > 0 && args[0] == "quick")
{
    QuickReport.Run(args[1..]);
}
else
{
    BenchmarkSwitcher.FromAssembly(typeof(GemmBenchmarks).Assembly).Run(args);
}

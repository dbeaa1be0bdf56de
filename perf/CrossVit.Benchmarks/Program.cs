using BenchmarkDotNet.Running;
using CrossVit.Benchmarks;

// `quick [isa...]`: seconds-long median timings for tuning; `cores`: what the two vCPUs cost each other (a second or two);
// `ort`: ONNX Runtime resident for perf/compare/compare.py; anything else goes to BenchmarkDotNet.
if (args.Length > 0 && args[0] == "quick")
{
    QuickReport.Run(args[1..]);
}
else if (args.Length > 0 && args[0] == "cores")
{
    CrossCoreReport.Run(firstTouch: true);
}
else if (args.Length > 0 && args[0] == "ort")
{
    OnnxRuntimeRunner.Serve(Console.In, Console.Out);
}
else
{
    BenchmarkSwitcher.FromAssembly(typeof(GemmBenchmarks).Assembly).Run(args);
}

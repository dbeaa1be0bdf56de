using System.CommandLine;

namespace CrossVit.Cli;

/// <summary>Options shared by several commands.</summary>
internal static class Options
{
    public static Option<int> Threads() => new("--threads")
    {
        Description = "Worker threads (default: the processor count).",
        DefaultValueFactory = _ => Environment.ProcessorCount,
        Validators = { r => { if (r.GetValueOrDefault<int>() < 1) r.AddError("--threads must be at least 1."); } },
    };
}

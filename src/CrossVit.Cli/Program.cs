using System.CommandLine;
using CrossVit.Cli.Commands;

var root = new RootCommand("CrossVit.NET: CrossViT inference on the CPU, pure managed.")
{
    RunCommand.Create(),
    InspectCommand.Create(),
    InitCommand.Create(),
    BenchCommand.Create(),
};
return root.Parse(args).Invoke();

using System.CommandLine;
using CrossVit.Cli;
using CrossVit.Cli.Commands;

var root = new RootCommand("CrossVit.NET: CrossViT inference on the CPU, pure managed.")
{
    RunCommand.Create(),
    InspectCommand.Create(),
    InitCommand.Create(),
    BenchCommand.Create(),
    ProfileCommand.Create(),
    PreprocessCommand.Create(),
    ClassifyCommand.Create(),
    CliError.Debug,
};
root.Options.OfType<VersionOption>().Single().Action = new VersionAction();
return CliError.Invoke(root, args);

using System.CommandLine;
using System.CommandLine.Invocation;
using System.Reflection;
using CrossVit.Runtime.Kernels;

namespace CrossVit.Cli;

/// <summary>
/// <c>crossvit --version</c>: the version, then the ISA the kernels will run on (what a model loaded without an
/// explicit ISA gets). A NativeAOT binary fixes its instruction set at compile time, so this line tells whether an
/// x86-64-v3 or an x86-64-v4 build is running.
/// </summary>
internal sealed class VersionAction : SynchronousCommandLineAction
{
    public override int Invoke(ParseResult parseResult)
    {
        var version = typeof(VersionAction).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion;
        var output = parseResult.InvocationConfiguration.Output;
        output.WriteLine($"crossvit {version}");
        output.WriteLine($"isa {IsaSupport.Resolve(null).ToString().ToLowerInvariant()}");
        return 0;
    }
}

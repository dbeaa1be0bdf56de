using System.CommandLine;
using CrossVit.Imaging;
using CrossVit.Runtime.Model;
using CrossVit.Weights;

namespace CrossVit.Cli;

/// <summary>A user mistake: printed as one line on stderr, exit code 1, no stack trace.</summary>
internal sealed class CliException(string message) : Exception(message);

/// <summary>
/// Parses and runs a command line so that nothing ends in a stack trace: a mistake in the arguments or the input is one
/// <c>crossvit: error: …</c> line and exit code 1; anything else is a bug, one <c>crossvit: internal error: …</c> line
/// and exit code 70 (sysexits' EX_SOFTWARE), with the trace only under <c>--debug</c>.
/// </summary>
internal static class CliError
{
    public const int UserError = 1;
    public const int InternalError = 70;

    /// <summary>Accepted by every command: prints the stack trace of an internal error.</summary>
    public static readonly Option<bool> Debug = new("--debug")
    {
        Description = "Print the stack trace of an internal error (to include in a bug report).",
        Recursive = true,
    };

    public static int Invoke(RootCommand root, string[] args)
    {
        bool debug = args.Contains(Debug.Name);
        try
        {
            var parse = root.Parse(args);
            if (parse.Errors.Count > 0)
            {
                string help = parse.CommandResult.Command is RootCommand ? "crossvit --help" : $"crossvit {parse.CommandResult.Command.Name} --help";
                string problems = string.Join("; ", parse.Errors.Select(e => e.Message.TrimEnd('.')).Distinct());
                return Report($"{problems}. See '{help}'.");
            }
            return parse.Invoke(new InvocationConfiguration { EnableDefaultExceptionHandler = false });
        }
        catch (Exception e) when (IsUserError(e))
        {
            return Report(Message(e));
        }
        catch (Exception e)
        {
            string trace = debug ? "" : " and, from the same command with --debug, the stack trace";
            Console.Error.WriteLine($"crossvit: internal error: {e.GetType().Name}: {OneLine(e.Message)} "
                + $"This is a bug in crossvit; please report it with the command line{trace}.");
            if (debug) Console.Error.WriteLine(e);
            return InternalError;
        }
    }

    /// <summary>Prints a user mistake as one stderr line; returns the exit code for it.</summary>
    public static int Report(string message)
    {
        Console.Error.WriteLine($"crossvit: error: {OneLine(message)}");
        return UserError;
    }

    /// <summary>
    /// The exceptions a wrong argument or a wrong file causes. Null and out-of-range arguments are not among them: the
    /// commands check every number they pass on, so those reaching here are bugs.
    /// </summary>
    private static bool IsUserError(Exception e) => e switch
    {
        ArgumentNullException or ArgumentOutOfRangeException or ObjectDisposedException => false,
        CliException or ArgumentException or IOException or UnauthorizedAccessException or TensorFormatException
            or CheckpointMismatchException or ImageFormatException or InvalidOperationException => true,
        _ => false,
    };

    /// <summary>The message without the " (Parameter 'x')" that <see cref="ArgumentException"/> appends: it names code, not input.</summary>
    public static string Message(Exception e) =>
        e is ArgumentException { ParamName: { } name } a ? a.Message.Replace($" (Parameter '{name}')", "", StringComparison.Ordinal) : e.Message;

    /// <summary>Multi-line messages (checkpoint mismatches) joined into one line.</summary>
    private static string OneLine(string message) =>
        string.Join(' ', message.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
}

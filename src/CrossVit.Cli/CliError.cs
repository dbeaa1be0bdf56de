using CrossVit.Imaging;
using CrossVit.Runtime.Model;
using CrossVit.Weights;

namespace CrossVit.Cli;

/// <summary>A user mistake: printed as one line on stderr, exit code 1, no stack trace.</summary>
internal sealed class CliException(string message) : Exception(message);

/// <summary>Runs a command body and turns the user's mistakes into one stderr line and a non-zero exit.</summary>
internal static class CliError
{
    public static int Guard(Func<int> body)
    {
        try
        {
            return body();
        }
        catch (Exception e) when (IsUserError(e))
        {
            // One line: multi-line messages (checkpoint mismatches) are joined.
            var lines = e.Message.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            Console.Error.WriteLine($"crossvit: error: {string.Join(' ', lines)}");
            return 1;
        }
    }

    private static bool IsUserError(Exception e) => e is CliException or ArgumentException or FileNotFoundException
        or DirectoryNotFoundException or UnauthorizedAccessException or IOException or TensorFormatException
        or CheckpointMismatchException or KeyNotFoundException or InvalidOperationException or ImageFormatException;
}

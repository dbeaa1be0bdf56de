namespace CrossVit.Cli;

/// <summary>
/// A one-line status on stderr, rewritten in place with <c>\r</c>, shown only when stderr is a terminal so that
/// redirected output (logs, pipes, tests) never carries it. Disposing erases the line.
/// </summary>
internal sealed class Progress : IDisposable
{
    private readonly bool _visible = !Console.IsErrorRedirected;
    private int _shown;

    /// <summary>Replaces the status line with <paramref name="status"/>.</summary>
    public void Report(string status)
    {
        if (!_visible) return;
        // Padding overwrites the tail of a longer previous status.
        Console.Error.Write($"\r{status.PadRight(_shown)}");
        _shown = status.Length;
    }

    /// <summary>Erases the status line so that what follows starts on a clean line.</summary>
    public void Dispose() => Erase();

    /// <summary>Erases the status line, to print a line of its own to stderr; a later <see cref="Report"/> shows a new one.</summary>
    public void Erase()
    {
        if (!_visible || _shown == 0) return;
        Console.Error.Write($"\r{new string(' ', _shown)}\r");
        _shown = 0;
    }
}

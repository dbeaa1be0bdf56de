namespace CrossVit.Cli;

/// <summary>Checks of the files a command is given, made before any of them is read or any work is done.</summary>
internal static class FileArguments
{
    /// <summary>
    /// Returns <paramref name="path"/> if it is a non-empty regular file. Devices, FIFOs and sockets report no size, so
    /// they are refused with empty files, unread: reading one could block or never end.
    /// </summary>
    public static string RequireInput(string path, string what)
    {
        if (Directory.Exists(path)) throw new CliException($"The {what} '{path}' is a directory; expected a file.");
        var file = new FileInfo(path);
        if (!file.Exists) throw new CliException($"The {what} file '{path}' does not exist.");
        if (file.Length == 0)
            throw new CliException($"The {what} file '{path}' is empty or not a regular file (a device, FIFO or socket); expected a regular file.");
        return path;
    }

    /// <summary>Returns <paramref name="path"/> if a file can be written there: not a directory, in a folder that exists.</summary>
    public static string RequireOutput(string path, string option)
    {
        if (Directory.Exists(path)) throw new CliException($"{option} '{path}' is a directory; expected the path of a file to write.");
        string folder = Path.GetDirectoryName(Path.GetFullPath(path))!;
        if (!Directory.Exists(folder)) throw new CliException($"{option} '{path}': the folder '{folder}' does not exist.");
        return path;
    }
}

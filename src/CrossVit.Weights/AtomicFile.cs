namespace CrossVit.Weights;

/// <summary>
/// A file written so that readers see either the old file or the complete new one: the content goes to a temporary
/// file beside the target, renamed over it by <see cref="Commit"/>. Disposing without committing deletes the temporary
/// file, so a failure part-way leaves no partial file and the previous file, if any, untouched.
/// </summary>
public sealed class AtomicFile : IDisposable
{
    private readonly string _target;
    private readonly string _temporary;
    private readonly FileStream _stream;
    private bool _committed;

    private AtomicFile(string target, string temporary)
    {
        _target = target;
        _temporary = temporary;
        _stream = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None);
    }

    /// <summary>Where the content goes until <see cref="Commit"/>.</summary>
    public Stream Stream => _stream;

    /// <summary>Starts writing <paramref name="path"/>, which is created or replaced on <see cref="Commit"/>.</summary>
    /// <exception cref="IOException"><paramref name="path"/> is a directory, or its folder does not exist.</exception>
    public static AtomicFile Create(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (Directory.Exists(path))
        {
            throw new IOException($"'{path}' is a directory; expected the path of a file to write.");
        }

        string full = Path.GetFullPath(path);
        string folder = Path.GetDirectoryName(full)!;
        if (!Directory.Exists(folder))
        {
            throw new IOException($"Cannot write '{path}': the folder '{folder}' does not exist.");
        }

        // The same folder keeps the rename on one file system, where it is atomic.
        return new AtomicFile(full, Path.Combine(folder, $".{Path.GetFileName(full)}.{Guid.NewGuid():N}.tmp"));
    }

    /// <summary>Flushes the content to disk and renames it over the target.</summary>
    public void Commit()
    {
        ObjectDisposedException.ThrowIf(_committed, this);
        _stream.Flush(flushToDisk: true);
        _stream.Dispose();
        File.Move(_temporary, _target, overwrite: true);
        _committed = true;
    }

    /// <summary>Deletes the temporary file unless <see cref="Commit"/> renamed it.</summary>
    public void Dispose()
    {
        if (_committed)
        {
            return;
        }

        _stream.Dispose();
        File.Delete(_temporary);
    }
}

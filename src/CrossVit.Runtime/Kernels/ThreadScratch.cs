namespace CrossVit.Runtime.Kernels;

/// <summary>
/// Per-thread workspace for the public entry points (packed activations, attention panels). The kernels themselves
/// take workspace pointers, so an engine can hand them arena memory instead.
/// </summary>
internal static unsafe class ThreadScratch
{
    [ThreadStatic]
    private static AlignedBuffer? _buffer;

    /// <summary>At least <paramref name="floats"/> floats, 64-byte aligned, owned by this thread until its next call.</summary>
    public static float* Get(long floats)
    {
        var current = _buffer;
        if (current is null || current.Length < floats)
        {
            // Grow geometrically so a warmed-up thread stops allocating.
            current = new AlignedBuffer(Math.Max(floats, (current?.Length ?? 0) * 2));
            _buffer = current;
        }

        return current.Pointer;
    }
}

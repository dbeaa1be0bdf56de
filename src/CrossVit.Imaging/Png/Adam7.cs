namespace CrossVit.Imaging.Png;

/// <summary>The seven passes of Adam7 interlacing, each a sub-image on a regular grid.</summary>
internal static class Adam7
{
    /// <summary>Grid origin and step of each pass, in pixels.</summary>
    public static IReadOnlyList<(int X, int Y, int StepX, int StepY)> Passes { get; } =
    [
        (0, 0, 8, 8), (4, 0, 8, 8), (0, 4, 4, 8), (2, 0, 4, 4), (0, 2, 2, 4), (1, 0, 2, 2), (0, 1, 1, 2),
    ];

    /// <summary>Number of grid points in <c>[0, extent)</c> starting at <paramref name="start"/> with <paramref name="step"/>.</summary>
    public static int PassExtent(int extent, int start, int step) => extent > start ? (extent - start + step - 1) / step : 0;
}

namespace CrossVit.Runtime.Classification;

/// <summary>Class names for classifier outputs: ImageNet-1k labels for 1000-class heads, "class N" otherwise.</summary>
public static class ImageNetLabels
{
    private const int ImageNetClasses = 1000;

    // Read on first use only: models with other class counts never need the 1000 lines.
    private static readonly Lazy<string[]> Labels = new(Read);

    /// <summary>The name of class <paramref name="index"/> of a head with <paramref name="numClasses"/> outputs.</summary>
    public static string Label(int index, int numClasses) =>
        numClasses == ImageNetClasses ? Labels.Value[index] : $"class {index}";

    private static string[] Read()
    {
        using var stream = typeof(ImageNetLabels).Assembly.GetManifestResourceStream("imagenet_classes.txt")
            ?? throw new InvalidOperationException("The embedded resource imagenet_classes.txt is missing from the CrossVit.Runtime assembly.");
        using var reader = new StreamReader(stream);
        var labels = reader.ReadToEnd().Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        return labels.Length == ImageNetClasses ? labels
            : throw new InvalidOperationException($"imagenet_classes.txt has {labels.Length} labels; expected {ImageNetClasses}.");
    }
}

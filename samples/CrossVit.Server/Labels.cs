namespace CrossVit.Server;

/// <summary>Class names: the ImageNet-1k labels for 1000-class heads, "class N" for any other head.</summary>
internal static class Labels
{
    private const int ImageNetClasses = 1000;

    // Read on first use only: models with other class counts never need the 1000 lines.
    private static readonly Lazy<string[]> ImageNet = new(Read);

    public static string Of(int index, int numClasses) =>
        numClasses == ImageNetClasses ? ImageNet.Value[index] : $"class {index}";

    private static string[] Read()
    {
        using var stream = typeof(Labels).Assembly.GetManifestResourceStream("imagenet_classes.txt")
            ?? throw new InvalidOperationException("The embedded resource imagenet_classes.txt is missing from the server assembly.");
        using var reader = new StreamReader(stream);
        var labels = reader.ReadToEnd().Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        return labels.Length == ImageNetClasses ? labels
            : throw new InvalidOperationException($"imagenet_classes.txt has {labels.Length} labels; expected {ImageNetClasses}.");
    }
}

namespace CrossVit.Runtime.Config;

/// <summary>
/// timm's CrossViT models, under timm's names and the seed API's short names
/// (<c>crossvit_tiny</c> … <c>crossvit_18_dagger</c> are the <c>_240</c> models).
/// </summary>
public static class Presets
{
    private static readonly Dictionary<string, CrossVitConfig> ByName = Build();

    /// <summary>timm's names, in the order of the model zoo.</summary>
    public static IReadOnlyList<string> Names { get; } =
    [
        "crossvit_tiny_240", "crossvit_small_240", "crossvit_base_240", "crossvit_9_240", "crossvit_15_240", "crossvit_18_240",
        "crossvit_9_dagger_240", "crossvit_15_dagger_240", "crossvit_18_dagger_240", "crossvit_15_dagger_408", "crossvit_18_dagger_408",
    ];

    /// <summary>The preset's config; an <see cref="ArgumentException"/> listing the known names otherwise.</summary>
    public static CrossVitConfig Get(string name) =>
        TryGet(name, out var config) ? config
            : throw new ArgumentException($"Unknown CrossViT model '{name}'; expected one of: {string.Join(", ", Names)} (or a short name such as crossvit_9_dagger).", nameof(name));

    /// <summary>Looks a preset up by timm's name or the seed's short name.</summary>
    public static bool TryGet(string name, out CrossVitConfig config)
    {
        string key = name.StartsWith("timm/", StringComparison.Ordinal) ? name[5..] : name;
        int tag = key.IndexOf('.', StringComparison.Ordinal);  // "crossvit_9_240.in1k"
        if (tag >= 0) key = key[..tag];
        if (!key.EndsWith("_240", StringComparison.Ordinal) && !key.EndsWith("_408", StringComparison.Ordinal)) key += "_240";
        return ByName.TryGetValue(key, out config!);
    }

    /// <summary>The preset whose architecture equals <paramref name="config"/> apart from its class count, if any.</summary>
    public static string? Match(CrossVitConfig config) =>
        Names.FirstOrDefault(n => ByName[n] with { NumClasses = config.NumClasses } == config);

    private static Dictionary<string, CrossVitConfig> Build()
    {
        var all = new Dictionary<string, CrossVitConfig>(StringComparer.Ordinal);
        void Add(string name, int dim, int depth, int heads, double mlp, bool dagger = false, int size = 240, double cropPct = 0.875) =>
            all[name] = new CrossVitConfig
            {
                // timm: img_scale (1.0, 224/240) or (1.0, 384/408) of the input size.
                ImgSize = [size, size == 240 ? 224 : 384],
                PatchSize = [12, 16],
                EmbedDim = [dim, 2 * dim],
                Depth = [[1, depth, 0], [1, depth, 0], [1, depth, 0]],
                NumHeads = [heads, heads],
                MlpRatio = [mlp, mlp, 1],
                MultiConv = dagger,
                CropPct = cropPct,
            }.Validate();
        Add("crossvit_tiny_240", 96, 4, 3, 4);
        Add("crossvit_small_240", 192, 4, 6, 4);
        Add("crossvit_base_240", 384, 4, 12, 4);
        Add("crossvit_9_240", 128, 3, 4, 3);
        Add("crossvit_15_240", 192, 5, 6, 3);
        Add("crossvit_18_240", 224, 6, 7, 3);
        Add("crossvit_9_dagger_240", 128, 3, 4, 3, dagger: true);
        Add("crossvit_15_dagger_240", 192, 5, 6, 3, dagger: true);
        Add("crossvit_18_dagger_240", 224, 6, 7, 3, dagger: true);
        Add("crossvit_15_dagger_408", 192, 5, 6, 3, dagger: true, size: 408, cropPct: 1.0);
        Add("crossvit_18_dagger_408", 224, 6, 7, 3, dagger: true, size: 408, cropPct: 1.0);
        return all;
    }
}

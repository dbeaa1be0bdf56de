using CrossVit.Runtime.Config;
using CrossVit.Runtime.Model;
using CrossVit.Weights;
using Microsoft.Extensions.Logging;

namespace CrossVit.Hosting;

/// <summary>Loads the configured checkpoint, or the seeded random demo model when none is configured.</summary>
internal static class ModelLoader
{
    public const string DefaultName = "crossvit_9_dagger_240";

    /// <summary>Loads what validated <paramref name="options"/> name (<see cref="CrossVitOptionsValidator"/> has checked the combination).</summary>
    public static LoadedCrossVitModel Load(CrossVitOptions options, ILogger logger)
    {
        const string S = CrossVitOptions.Section;
        var modelOptions = new ModelOptions { Threads = options.Threads, MaxBatch = options.MaxBatch };
        if (options.Weights is null)
        {
            logger.LogWarning("No {Section}:Weights configured: serving {Model} with seeded random weights, so its predictions mean nothing. Set {Section}:Weights (env CROSSVIT__WEIGHTS) to a .safetensors checkpoint and {Section}:Model or {Section}:Config to its architecture.",
                S, DefaultName, S, S, S);
            return new LoadedCrossVitModel(RandomWeights.Load(Presets.Get(DefaultName), seed: 0, modelOptions), DefaultName, "random (seed 0)");
        }

        using var file = SafetensorsFile.Open(options.Weights);
        var resolved = options.Model is not null ? Presets.Get(options.Model)
            : options.Config is not null ? CrossVitConfigJson.Load(options.Config)
            : RandomWeights.StoredConfig(file)
              ?? throw new ArgumentException($"{options.Weights} carries no CrossViT config in its metadata; set {S}:Model or {S}:Config.");
        string name = options.Model ?? Presets.Match(resolved) ?? Path.GetFileNameWithoutExtension(options.Weights);
        var model = CrossVitModel.Load(resolved, file, modelOptions);
        logger.LogInformation("Loaded {Model} from {Weights}.", name, options.Weights);
        return new LoadedCrossVitModel(model, name, options.Weights);
    }
}

using CrossVit.Runtime.Config;
using CrossVit.Runtime.Model;
using CrossVit.Weights;

namespace CrossVit.Server;

/// <summary>A loaded model and where it came from, as <c>GET /v1/model</c> reports it.</summary>
internal sealed record LoadedModel(CrossVitModel Model, string Name, string Weights);

/// <summary>Loads the configured checkpoint, or the seeded random demo model when none is configured.</summary>
internal static class ModelLoader
{
    public const string DefaultName = "crossvit_9_dagger_240";

    public static LoadedModel Load(ServerOptions options, ILogger logger)
    {
        var modelOptions = new ModelOptions { Threads = options.Threads, MaxBatch = options.MaxBatch };
        if (options.Weights is null)
        {
            if (options.Model is not null || options.Config is not null)
                throw new ArgumentException($"{ServerOptions.Section}:Model and {ServerOptions.Section}:Config describe the weights file; set {ServerOptions.Section}:Weights too, or none of them for the demo model.");
            logger.LogWarning("No {Section}:Weights configured: serving {Model} with seeded random weights, so its predictions mean nothing. Set {Section}:Weights (env CROSSVIT__WEIGHTS) to a .safetensors checkpoint and {Section}:Model or {Section}:Config to its architecture.",
                ServerOptions.Section, DefaultName, ServerOptions.Section, ServerOptions.Section, ServerOptions.Section);
            return new LoadedModel(RandomWeights.Load(Presets.Get(DefaultName), seed: 0, modelOptions), DefaultName, "random (seed 0)");
        }

        if (options.Model is not null && options.Config is not null)
            throw new ArgumentException($"Set only one of {ServerOptions.Section}:Model and {ServerOptions.Section}:Config.");
        if (!File.Exists(options.Weights))
            throw new FileNotFoundException($"The weights file '{options.Weights}' ({ServerOptions.Section}:Weights) does not exist.", options.Weights);
        using var file = SafetensorsFile.Open(options.Weights);
        var resolved = options.Model is not null ? Presets.Get(options.Model)
            : options.Config is not null ? CrossVitConfigJson.Load(options.Config)
            : RandomWeights.StoredConfig(file)
              ?? throw new ArgumentException($"{options.Weights} carries no CrossViT config in its metadata; set {ServerOptions.Section}:Model or {ServerOptions.Section}:Config.");
        string name = options.Model ?? Presets.Match(resolved) ?? Path.GetFileNameWithoutExtension(options.Weights);
        var model = CrossVitModel.Load(resolved, file, modelOptions);
        logger.LogInformation("Loaded {Model} from {Weights}.", name, options.Weights);
        return new LoadedModel(model, name, options.Weights);
    }
}

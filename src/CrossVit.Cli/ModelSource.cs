using CrossVit.Runtime.Config;
using CrossVit.Runtime.Model;
using CrossVit.Weights;

namespace CrossVit.Cli;

/// <summary>
/// Where a command's model comes from: <c>--weights</c> with <c>--model</c> or <c>--config</c>, a Hugging Face
/// folder (<c>--model-dir</c>: <c>config.json</c> + <c>model.safetensors</c>), or weights whose metadata carries the config.
/// </summary>
internal sealed record ModelSource(string? Weights, string? Model, string? Config, string? ModelDir = null)
{
    public CrossVitModel Load(ModelOptions options)
    {
        if (new[] { Model, Config, ModelDir }.Count(s => s is not null) > 1)
            throw new CliException("Give only one of --model, --config and --model-dir.");
        if (ModelDir is not null && !Directory.Exists(ModelDir))
            throw new CliException($"--model-dir '{ModelDir}' is not a folder; expected one holding config.json and model.safetensors.");
        string weights = ModelDir is null ? Weights ?? throw new CliException("--weights is required.")
            : Weights ?? Path.Combine(ModelDir, "model.safetensors");
        FileArguments.RequireInput(weights, "weights");
        using var file = SafetensorsFile.Open(weights);
        var config = ResolveConfig(file, weights);
        return CrossVitModel.Load(config, file, options);
    }

    private CrossVitConfig ResolveConfig(SafetensorsFile file, string weights)
    {
        if (Model is not null) return Presets.Get(Model);
        if (Config is not null) return CrossVitConfigJson.Load(FileArguments.RequireInput(Config, "config"));
        if (ModelDir is not null) return CrossVitConfigJson.Load(FileArguments.RequireInput(Path.Combine(ModelDir, "config.json"), "config"));
        return RandomWeights.StoredConfig(file)
            ?? throw new CliException($"{weights} carries no CrossViT config in its metadata; pass --model NAME or --config FILE.");
    }
}

using CrossVit.Runtime.Config;
using CrossVit.Runtime.Model;

namespace CrossVit.Cli;

/// <summary>
/// The model <c>classify</c> runs without <c>--weights</c>: crossvit_9_dagger_240 with seeded random weights,
/// generated in memory so that the CLI works out of the box without shipping a 35 MB checkpoint.
/// </summary>
internal static class DefaultModel
{
    public const string Name = "crossvit_9_dagger_240";

    /// <summary>Where trained weights for <see cref="Name"/> live, and how to pass them.</summary>
    public const string Notice =
        "crossvit: note: no weights given, so this runs " + Name + " with seeded random weights and its predictions mean nothing. "
        + "For real ones, download model.safetensors and config.json from the Hugging Face hub repo timm/" + Name + ".in1k "
        + "and pass --model-dir DIR (or --weights model.safetensors --model " + Name + ").";

    /// <summary>The architecture of <see cref="Name"/>, known without generating its weights.</summary>
    public static CrossVitConfig Config => Presets.Get(Name);

    public static CrossVitModel Load(ModelOptions options) => Random(Name, options);

    /// <summary>A preset with weights from seed 0, built in memory (also what <c>bench</c> runs without <c>--weights</c>).</summary>
    public static CrossVitModel Random(string preset, ModelOptions options) => RandomWeights.Load(Presets.Get(preset), seed: 0, options);
}

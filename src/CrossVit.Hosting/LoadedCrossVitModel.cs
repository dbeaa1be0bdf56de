using CrossVit.Runtime.Model;

namespace CrossVit.Hosting;

/// <summary>The model <see cref="ImageClassifier"/> serves and where it came from.</summary>
/// <param name="Model">The loaded model; owned by the host, which disposes it on shutdown.</param>
/// <param name="Name">Its preset name, or the checkpoint's file name when it matches no preset.</param>
/// <param name="Weights">The checkpoint path, or <c>random (seed 0)</c> for the demo model.</param>
public sealed record LoadedCrossVitModel(CrossVitModel Model, string Name, string Weights);

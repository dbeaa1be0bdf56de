using CrossVit.Runtime.Config;
using CrossVit.Weights;

namespace CrossVit.Runtime.Model;

/// <summary>
/// Seeded random checkpoints (benchmarks, tests, <c>crossvit init</c>). Scaled so activations stay O(1):
/// linear and conv weights uniform with variance 1/fan_in, LayerNorm weights near 1, small biases and embeddings.
/// The config is stored in the file's metadata, so the file loads without naming a model.
/// </summary>
public static class RandomWeights
{
    /// <summary>Metadata key under which the runtime's writer stores the config JSON.</summary>
    public const string ConfigMetadataKey = "crossvit.config";

    /// <summary>A writer holding every tensor of <paramref name="config"/>'s checkpoint, drawn from <paramref name="seed"/>.</summary>
    public static SafetensorsWriter Create(CrossVitConfig config, int seed, DType dtype = DType.F32)
    {
        config.Validate();
        // The writer's encoded bytes, then the file of them (Load's ToArray).
        ModelFootprint.EnsureWeightsFit(config, copies: 2);
        var random = new Random(seed);
        var writer = new SafetensorsWriter().AddMetadata(ConfigMetadataKey, CrossVitConfigJson.Write(config));
        var tensors = CheckpointLayout.Tensors(config).ToList();
        var buffer = new float[tensors.Max(t => t.ElementCount)];   // one for every tensor: the writer keeps its own bytes
        foreach (var spec in tensors)
        {
            var values = buffer.AsSpan(0, (int)spec.ElementCount);   // fits: the buffer holds the largest
            var (center, halfWidth) = Distribution(spec);
            for (int i = 0; i < values.Length; i++) values[i] = (float)(center + halfWidth * (2 * random.NextDouble() - 1));
            writer.Add(spec.Name, dtype, spec.Shape.Select(d => (long)d).ToArray(), values);
        }
        return writer;
    }

    /// <summary>A model of <paramref name="config"/> with the weights of <see cref="Create"/>, built in memory.</summary>
    public static CrossVitModel Load(CrossVitConfig config, int seed, ModelOptions? options = null)
    {
        using var file = SafetensorsFile.FromBytes(Create(config, seed).ToArray());
        return CrossVitModel.Load(config, file, options);
    }

    /// <summary>The config stored by <see cref="Create"/>, if the file has one.</summary>
    public static CrossVitConfig? StoredConfig(SafetensorsFile file) =>
        file.Metadata.TryGetValue(ConfigMetadataKey, out var json) ? CrossVitConfigJson.Parse(json) : null;

    private static (double Center, double HalfWidth) Distribution(TensorSpec spec)
    {
        if (spec.Shape.Count >= 2 && spec.Name.EndsWith(".weight", StringComparison.Ordinal))
        {
            long fanIn = spec.ElementCount / spec.Shape[0];
            return (0, Math.Sqrt(3.0 / fanIn));
        }
        if (spec.Name.EndsWith(".weight", StringComparison.Ordinal)) return (1, 0.1);   // LayerNorm
        return spec.Name.StartsWith("pos_embed", StringComparison.Ordinal) || spec.Name.StartsWith("cls_token", StringComparison.Ordinal)
            ? (0, 0.5) : (0, 0.05);
    }
}

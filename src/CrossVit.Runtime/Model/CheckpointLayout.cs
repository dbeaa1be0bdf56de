using CrossVit.Runtime.Config;

namespace CrossVit.Runtime.Model;

/// <summary>One tensor a checkpoint must hold: timm's <c>state_dict</c> name and PyTorch shape.</summary>
public sealed record TensorSpec(string Name, IReadOnlyList<int> Shape)
{
    /// <summary>Number of elements.</summary>
    public long ElementCount => Shape.Aggregate(1L, (a, d) => a * d);
}

/// <summary>
/// Every tensor of a config's timm <c>state_dict</c>, in timm's registration order. It is the single source of
/// the checkpoint's names: binding, parameter counts, <c>crossvit init</c> and <c>inspect</c> all use it.
/// </summary>
public static class CheckpointLayout
{
    /// <summary>The tensors of <paramref name="config"/>'s checkpoint.</summary>
    public static IReadOnlyList<TensorSpec> Tensors(CrossVitConfig config)
    {
        var t = new List<TensorSpec>();
        int n = config.Branches;
        for (int i = 0; i < n; i++)
        {
            int d = config.EmbedDim[i];
            t.Add(new($"pos_embed_{i}", [1, 1 + config.NumPatches(i), d]));
            t.Add(new($"cls_token_{i}", [1, 1, d]));
        }
        for (int i = 0; i < n; i++)
        {
            var convs = config.StemConvs(i);
            for (int c = 0; c < convs.Count; c++)
                Conv(t, config.MultiConv ? $"patch_embed.{i}.proj.{2 * c}" : $"patch_embed.{i}.proj", convs[c]);
        }
        for (int s = 0; s < config.Depth.Count; s++)
        {
            string stage = $"blocks.{s}";
            for (int b = 0; b < n; b++)
                for (int j = 0; j < config.Depth[s][b]; j++)
                    Block(t, $"{stage}.blocks.{b}.{j}", config.EmbedDim[b], config.MlpHidden(b), config.QkvBias);
            for (int b = 0; b < n; b++)
                Projection(t, $"{stage}.projs.{b}", config.EmbedDim[b], config.EmbedDim[config.Next(b)]);
            int fusionDepth = config.Depth[s][n];
            for (int b = 0; b < n; b++)
            {
                int d = config.EmbedDim[config.Next(b)];
                if (fusionDepth == 0) CrossAttentionBlock(t, $"{stage}.fusion.{b}", d, config.QkvBias);
                for (int j = 0; j < fusionDepth; j++) CrossAttentionBlock(t, $"{stage}.fusion.{b}.{j}", d, config.QkvBias);
            }
            for (int b = 0; b < n; b++)
                Projection(t, $"{stage}.revert_projs.{b}", config.EmbedDim[config.Next(b)], config.EmbedDim[b]);
        }
        for (int b = 0; b < n; b++) Norm(t, $"norm.{b}", config.EmbedDim[b]);
        if (config.NumClasses > 0)
            for (int b = 0; b < n; b++) Linear(t, $"head.{b}", config.EmbedDim[b], config.NumClasses, bias: true);
        return t;
    }

    /// <summary>Total parameters of <paramref name="config"/>, as timm counts them.</summary>
    public static long ParameterCount(CrossVitConfig config) => Tensors(config).Sum(s => s.ElementCount);

    private static void Block(List<TensorSpec> t, string p, int dim, int hidden, bool qkvBias)
    {
        Norm(t, $"{p}.norm1", dim);
        Linear(t, $"{p}.attn.qkv", dim, 3 * dim, qkvBias);
        Linear(t, $"{p}.attn.proj", dim, dim, bias: true);
        Norm(t, $"{p}.norm2", dim);
        Linear(t, $"{p}.mlp.fc1", dim, hidden, bias: true);
        Linear(t, $"{p}.mlp.fc2", hidden, dim, bias: true);
    }

    private static void CrossAttentionBlock(List<TensorSpec> t, string p, int dim, bool qkvBias)
    {
        Norm(t, $"{p}.norm1", dim);
        Linear(t, $"{p}.attn.wq", dim, dim, qkvBias);
        Linear(t, $"{p}.attn.wk", dim, dim, qkvBias);
        Linear(t, $"{p}.attn.wv", dim, dim, qkvBias);
        Linear(t, $"{p}.attn.proj", dim, dim, bias: true);
    }

    /// <summary><c>projs</c>/<c>revert_projs</c>: LayerNorm (index 0) → GELU (1) → Linear (2).</summary>
    private static void Projection(List<TensorSpec> t, string p, int from, int to)
    {
        Norm(t, $"{p}.0", from);
        Linear(t, $"{p}.2", from, to, bias: true);
    }

    private static void Norm(List<TensorSpec> t, string p, int dim)
    {
        t.Add(new($"{p}.weight", [dim]));
        t.Add(new($"{p}.bias", [dim]));
    }

    private static void Linear(List<TensorSpec> t, string p, int inFeatures, int outFeatures, bool bias)
    {
        t.Add(new($"{p}.weight", [outFeatures, inFeatures]));
        if (bias) t.Add(new($"{p}.bias", [outFeatures]));
    }

    private static void Conv(List<TensorSpec> t, string p, ConvShape c)
    {
        t.Add(new($"{p}.weight", [c.OutChannels, c.InChannels, c.Kernel, c.Kernel]));
        t.Add(new($"{p}.bias", [c.OutChannels]));
    }
}

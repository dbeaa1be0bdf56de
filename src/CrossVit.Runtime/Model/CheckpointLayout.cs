using CrossVit.Runtime.Config;

namespace CrossVit.Runtime.Model;

/// <summary>
/// Every tensor of a config's timm <c>state_dict</c>, in timm's registration order. It is the single source of
/// the checkpoint's names: binding, parameter counts, <c>crossvit init</c> and <c>inspect</c> all use it. The layers
/// name and shape their own tensors when they load; this is what they ask for, recorded without any weights.
/// </summary>
public static class CheckpointLayout
{
    /// <summary>The tensors of <paramref name="config"/>'s checkpoint.</summary>
    public static IReadOnlyList<TensorSpec> Tensors(CrossVitConfig config) => LayoutRecorder.Tensors(config);

    /// <summary>Total parameters of <paramref name="config"/>, as timm counts them.</summary>
    public static long ParameterCount(CrossVitConfig config) => Tensors(config).Sum(s => s.ElementCount);
}

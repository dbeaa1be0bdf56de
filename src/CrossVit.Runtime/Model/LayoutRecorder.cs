using CrossVit.Runtime.Config;
using CrossVit.Runtime.Kernels;

namespace CrossVit.Runtime.Model;

/// <summary>
/// Lists the tensors the layers ask for, in the order they ask (timm's registration order), without any weights:
/// the network is built against it once, and what it records is <see cref="CheckpointLayout.Tensors"/>.
/// </summary>
internal sealed class LayoutRecorder : IWeightSource
{
    private readonly List<TensorSpec> _tensors = [];
    private readonly List<string> _optional = [];

    /// <summary>The tensors <paramref name="config"/>'s network binds.</summary>
    public static IReadOnlyList<TensorSpec> Tensors(CrossVitConfig config) => Record(config).Tensors;

    /// <summary>
    /// The tensors <paramref name="config"/>'s network binds, and the paths of the modules that may be absent from a
    /// checkpoint, bound as the identity (<see cref="IWeightSource.IsIdentity"/>).
    /// </summary>
    public static (IReadOnlyList<TensorSpec> Tensors, IReadOnlyList<string> Optional) Record(CrossVitConfig config)
    {
        var recorder = new LayoutRecorder();
        _ = new CrossVitNet(config, recorder);
        return (recorder._tensors, recorder._optional);
    }

    public float[] Read(string name, params int[] shape)
    {
        _tensors.Add(new(name, shape));
        return [];
    }

    public void Skip(string name, params int[] shape) => _tensors.Add(new(name, shape));

    // The recorded network is never run, so its layers hold no packed weights.
    public PackedMatrix PackLinear(string name, int outFeatures, int inFeatures)
    {
        _tensors.Add(new(name, [outFeatures, inFeatures]));
        return null!;
    }

    public (PackedMatrix Group0, PackedMatrix Group1) PackLinearGroups(string name, int outFeatures, int inFeatures, Layers.GroupCut cut)
    {
        _tensors.Add(new(name, [outFeatures, inFeatures]));
        return (null!, null!);
    }

    public PackedMatrix PackConv(string name, int outChannels, int inChannels, int kernel)
    {
        _tensors.Add(new(name, [outChannels, inChannels, kernel, kernel]));
        return null!;
    }

    public bool IsIdentity(WeightPath path)
    {
        _optional.Add(path.Prefix);
        return false;
    }
}

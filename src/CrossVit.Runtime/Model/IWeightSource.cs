using CrossVit.Runtime.Kernels;

namespace CrossVit.Runtime.Model;

/// <summary>
/// What a layer's <c>Load</c> takes its tensors from, each named and shaped by the layer: a checkpoint
/// (<see cref="CheckpointWeights"/>), or the <see cref="LayoutRecorder"/> that lists them, so the checkpoint layout
/// is derived from the layers rather than spelled again.
/// </summary>
internal interface IWeightSource
{
    /// <summary>The tensor <paramref name="name"/> of <paramref name="shape"/>, as float32.</summary>
    float[] Read(string name, params int[] shape);

    /// <summary>A tensor the checkpoint holds but the kernels do not need (a key bias, which softmax cancels).</summary>
    void Skip(string name, params int[] shape);

    /// <summary>An nn.Linear weight [outFeatures, inFeatures], packed for the kernels.</summary>
    PackedMatrix PackLinear(string name, int outFeatures, int inFeatures);

    /// <summary>An nn.Linear weight [outFeatures, inFeatures] cut in two by <paramref name="cut"/>, each part packed (<see cref="Layers.LinearGroups"/>).</summary>
    (PackedMatrix Group0, PackedMatrix Group1) PackLinearGroups(string name, int outFeatures, int inFeatures, Layers.GroupCut cut);

    /// <summary>An nn.Conv2d weight [outChannels, inChannels, kernel, kernel], packed for the kernels.</summary>
    PackedMatrix PackConv(string name, int outChannels, int inChannels, int kernel);

    /// <summary>
    /// Whether the module at <paramref name="path"/>, asked only where it may be the identity (a projection between
    /// equal widths), is bound as the identity: the checkpoint has none of its tensors (see <see cref="Checkpoint"/>).
    /// </summary>
    bool IsIdentity(WeightPath path);
}

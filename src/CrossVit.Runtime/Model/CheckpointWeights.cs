using CrossVit.Runtime.Kernels;
using CrossVit.Runtime.Model.Layers;

namespace CrossVit.Runtime.Model;

/// <summary>A checked <see cref="Checkpoint"/>'s tensors, weight matrices packed for <paramref name="kernels"/>.</summary>
internal sealed class CheckpointWeights(Checkpoint checkpoint, KernelSet kernels) : IWeightSource
{
    public float[] Read(string name, params int[] shape) => checkpoint.Read(name);

    public void Skip(string name, params int[] shape)
    {
    }

    public PackedMatrix PackLinear(string name, int outFeatures, int inFeatures) => checkpoint.PackLinear(kernels, name, outFeatures, inFeatures);

    public (PackedMatrix Group0, PackedMatrix Group1) PackLinearGroups(string name, int outFeatures, int inFeatures, GroupCut cut)
    {
        var weight = checkpoint.Read(name);
        var (rows, columns) = cut == GroupCut.Inputs ? (outFeatures, inFeatures / 2) : (outFeatures / 2, inFeatures);
        return (kernels.PackLinear(LinearGroups.Cut(weight, outFeatures, inFeatures, cut, 0), rows, columns),
            kernels.PackLinear(LinearGroups.Cut(weight, outFeatures, inFeatures, cut, 1), rows, columns));
    }

    public PackedMatrix PackConv(string name, int outChannels, int inChannels, int kernel) =>
        kernels.PackConv(checkpoint.Read(name), outChannels, inChannels, kernel, kernel);

    public bool IsIdentity(WeightPath path) => checkpoint.IsIdentity(path.Prefix);
}

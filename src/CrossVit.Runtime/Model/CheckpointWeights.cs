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
        PackedMatrix Pack(int group)
        {
            var (rows, firstColumn, columns) = LinearGroups.Part(cut, outFeatures, inFeatures, group);
            return checkpoint.PackLinearPart(kernels, name, outFeatures, inFeatures, rows, firstColumn, columns);
        }

        return (Pack(0), Pack(1));
    }

    public PackedMatrix PackConv(string name, int outChannels, int inChannels, int kernel) =>
        kernels.PackConv(checkpoint.Read(name), outChannels, inChannels, kernel, kernel);

    public bool IsIdentity(WeightPath path) => checkpoint.IsIdentity(path.Prefix);
}

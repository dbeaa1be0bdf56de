using CrossVit.Runtime.Kernels;

namespace CrossVit.Runtime.Model;

/// <summary>A checked <see cref="Checkpoint"/>'s tensors, weight matrices packed for <paramref name="kernels"/>.</summary>
internal sealed class CheckpointWeights(Checkpoint checkpoint, KernelSet kernels) : IWeightSource
{
    public float[] Read(string name, params int[] shape) => checkpoint.Read(name);

    public void Skip(string name, params int[] shape)
    {
    }

    public PackedMatrix PackLinear(string name, int outFeatures, int inFeatures) => checkpoint.PackLinear(kernels, name, outFeatures, inFeatures);

    public PackedMatrix PackConv(string name, int outChannels, int inChannels, int kernel) =>
        kernels.PackConv(checkpoint.Read(name), outChannels, inChannels, kernel, kernel);

    public bool IsIdentity(WeightPath path) => checkpoint.IsIdentity(path.Prefix);
}

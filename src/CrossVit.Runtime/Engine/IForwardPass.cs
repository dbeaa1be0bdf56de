using CrossVit.Runtime.Kernels;
using CrossVit.Runtime.Threading;

namespace CrossVit.Runtime.Engine;

/// <summary>
/// The network a session runs (the model's <c>CrossVitNet</c>). The session knows the network only through this, so
/// the engine does not depend on the model: the model's layers build on the engine's kernels and workspace, and the
/// model hands its network to the sessions it creates.
/// </summary>
internal interface IForwardPass
{
    /// <summary>input: [batch, in_channels, height, width] → output: [batch, OutputSize], on <paramref name="k"/> and <paramref name="ws"/>.</summary>
    void Forward(ParallelKernels k, ReadOnlySpan<float> input, int batch, int height, int width, Span<float> output, Workspace ws);
}

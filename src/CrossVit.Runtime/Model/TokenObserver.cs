namespace CrossVit.Runtime.Model;

/// <summary>
/// Sees every branch's tokens at a point of the forward pass (<paramref name="stage"/> −1: after the patch embedding,
/// with the CLS token and position embedding added; k ≥ 0: after multi-scale stage k), [batch, 1 + patches, dim]:
/// tests compare them with the reference's per-layer activations, so a numerical regression points at its layer.
/// Where workers run images by themselves (<see cref="Engine.ImageScheduling.PerWorker"/>), each worker calls it for
/// its own images, at the same time as the others.
/// </summary>
internal delegate void TokenObserver(int stage, int branch, ReadOnlySpan<float> tokens);

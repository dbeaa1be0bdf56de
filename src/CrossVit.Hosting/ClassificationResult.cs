using CrossVit.Runtime.Classification;

namespace CrossVit.Hosting;

/// <summary>How long a call spent waiting for a slot and then working in it.</summary>
/// <param name="QueueWait">From the call to the slot being granted.</param>
/// <param name="Duration">Decoding plus inference, inside the slot.</param>
public readonly record struct InferenceTimings(TimeSpan QueueWait, TimeSpan Duration);

/// <summary>The outcome of <see cref="ImageClassifier.RunAsync{T}"/>: the work's value and its timings.</summary>
/// <typeparam name="T">What the work returned.</typeparam>
/// <param name="Value">What the work returned.</param>
/// <param name="Timings">Its queue wait and duration.</param>
public sealed record InferenceResult<T>(T Value, InferenceTimings Timings);

/// <summary>The top classes of each image of a call, in the order of its inputs.</summary>
/// <param name="Model">The name of the model that classified them.</param>
/// <param name="Images">One array of predictions per input image, most probable first.</param>
/// <param name="Timings">The call's queue wait and duration.</param>
public sealed record ClassificationResult(string Model, IReadOnlyList<Prediction[]> Images, InferenceTimings Timings)
{
    /// <summary>The predictions of the first (for a single-image call, the only) image.</summary>
    public Prediction[] Top => Images[0];
}

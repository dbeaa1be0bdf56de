namespace CrossVit.Runtime.Engine;

/// <summary>
/// How the images of a batch share a session's worker threads (<see cref="InferenceSession.ImagesPerWorker"/> says how
/// a batch is cut).
/// </summary>
public enum ImageScheduling
{
    /// <summary>
    /// Of a batch of q · threads + r images (r &lt; threads), every worker runs q whole images by itself, on working
    /// memory of its own; then the r left over run with each operation split across all workers. The workers share no
    /// buffer and never wait for each other until their images are done, so batches of at least one image per worker
    /// run faster than <see cref="Shared"/>. A batch smaller than the thread count runs as with <see cref="Shared"/>.
    /// </summary>
    PerWorker,

    /// <summary>All images at once, each operation split across all workers.</summary>
    Shared,
}

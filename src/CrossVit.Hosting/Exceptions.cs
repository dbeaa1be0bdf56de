namespace CrossVit.Hosting;

/// <summary>
/// The classifier cannot take the call now: the model is not loaded yet (or failed to load), the queue is full, or no
/// slot freed up within <see cref="CrossVitOptions.RequestTimeout"/>. Retrying later may succeed; HTTP hosts answer 503.
/// </summary>
public sealed class CrossVitUnavailableException : Exception
{
    /// <summary>Creates the exception with the reason that is also the <c>reason</c> tag of <c>crossvit.requests.rejected</c>.</summary>
    public CrossVitUnavailableException(string reason, string message, Exception? innerException = null)
        : base(message, innerException) => Reason = reason;

    /// <summary>One of <see cref="RejectionReasons"/>.</summary>
    public string Reason { get; }
}

/// <summary>
/// The inference started but did not finish within <see cref="CrossVitOptions.RequestTimeout"/>; HTTP hosts answer 504.
/// The inference itself cannot be interrupted: it keeps its slot until it ends, so the concurrency bound holds.
/// </summary>
public sealed class CrossVitTimeoutException(string message) : Exception(message);

/// <summary>Why a call was refused: the <c>reason</c> tag of <c>crossvit.requests.rejected</c>.</summary>
public static class RejectionReasons
{
    /// <summary>The model is still loading, or failed to load.</summary>
    public const string ModelNotReady = "model_not_ready";

    /// <summary>Every slot was busy and the queue full.</summary>
    public const string QueueFull = "queue_full";

    /// <summary>No slot freed up within the request timeout.</summary>
    public const string QueueTimeout = "queue_timeout";

    /// <summary>The inference outran the request timeout.</summary>
    public const string InferenceTimeout = "inference_timeout";

    /// <summary>An image did not decode, or was larger than allowed.</summary>
    public const string InvalidImage = "invalid_image";
}

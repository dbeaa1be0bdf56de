using System.Threading.RateLimiting;
using CrossVit.Runtime.Model;

namespace CrossVit.Server;

/// <summary>No inference slot is free and the queue is full, or the request waited out its timeout: answered 503.</summary>
internal sealed class ServerBusyException(string message) : Exception(message);

/// <summary>The inference outran the request timeout: answered 504.</summary>
internal sealed class InferenceTimeoutException(string message) : Exception(message);

/// <summary>
/// The model and the limiter in front of it. At most <see cref="ServerOptions.Concurrency"/> requests decode and infer
/// at once (each on a session rented from the model's pool), <see cref="ServerOptions.QueueLimit"/> more wait in
/// arrival order, and anything beyond is refused at once rather than queued without bound.
/// </summary>
internal sealed class InferenceService : IDisposable
{
    private readonly ConcurrencyLimiter _limiter;
    private readonly ServerOptions _options;

    public InferenceService(LoadedModel loaded, ServerOptions options)
    {
        Loaded = loaded;
        _options = options;
        _limiter = new ConcurrencyLimiter(new ConcurrencyLimiterOptions
        {
            PermitLimit = options.Concurrency,
            QueueLimit = options.QueueLimit,
            QueueProcessingOrder = QueueProcessingOrder.OldestFirst,
        });
    }

    public LoadedModel Loaded { get; }

    public CrossVitModel Model => Loaded.Model;

    /// <summary>
    /// Refuses a request before its body is read when the queue is already full: an overloaded server then answers
    /// 503 at once instead of after an upload it would discard. <see cref="RunAsync"/> still enforces the limit.
    /// </summary>
    public void ThrowIfSaturated()
    {
        var statistics = _limiter.GetStatistics()!;
        if (statistics.CurrentAvailablePermits == 0 && statistics.CurrentQueuedCount >= _options.QueueLimit) throw Busy();
    }

    /// <summary>
    /// Runs <paramref name="work"/> (CPU-bound: decoding and inference) once a slot is free. Decoding happens inside the
    /// slot too, so that the memory of decoded images is bounded by the concurrency, not by the number of clients.
    /// </summary>
    /// <exception cref="ServerBusyException">The queue is full, or no slot freed up within the request timeout.</exception>
    /// <exception cref="InferenceTimeoutException">The work started but did not finish within the request timeout.</exception>
    public async Task<T> RunAsync<T>(Func<CrossVitModel, T> work, CancellationToken aborted)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(aborted);
        deadline.CancelAfter(_options.RequestTimeout);
        RateLimitLease lease;
        try
        {
            lease = await _limiter.AcquireAsync(1, deadline.Token);
        }
        catch (OperationCanceledException) when (!aborted.IsCancellationRequested)
        {
            throw new ServerBusyException($"No inference slot freed up within the request timeout of {_options.RequestTimeout.TotalSeconds:0.#} s; the server is overloaded, retry later.");
        }

        if (!lease.IsAcquired)
        {
            lease.Dispose();
            throw Busy();
        }

        // The slot is released when the work ends, not when the caller stops waiting for it: inference cannot be
        // interrupted, so a timed-out request still occupies its core until it finishes.
        var running = Task.Run(() =>
        {
            using (lease) return work(Model);
        }, CancellationToken.None);
        try
        {
            return await running.WaitAsync(deadline.Token);
        }
        catch (OperationCanceledException) when (!aborted.IsCancellationRequested)
        {
            throw new InferenceTimeoutException($"Inference did not finish within the request timeout of {_options.RequestTimeout.TotalSeconds:0.#} s.");
        }
    }

    private ServerBusyException Busy() =>
        new($"The server is at capacity: {_options.Concurrency} requests are running and {_options.QueueLimit} are queued; retry later.");

    public void Dispose()
    {
        _limiter.Dispose();
        Model.Dispose();
    }
}

using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Threading.RateLimiting;
using CommunityToolkit.HighPerformance.Buffers;
using CrossVit.Imaging;
using CrossVit.Runtime.Classification;
using CrossVit.Runtime.Model;
using Microsoft.Extensions.Options;

namespace CrossVit.Hosting;

/// <summary>
/// Classifies images with the model <c>AddCrossVit</c> loads, for minimal APIs, controllers, gRPC services and
/// background workers alike (a singleton). At most <see cref="CrossVitOptions.Concurrency"/> calls decode and infer at
/// once, each on a session rented from the model's pool; <see cref="CrossVitOptions.QueueLimit"/> more wait in arrival
/// order, and anything beyond is refused at once with <see cref="CrossVitUnavailableException"/> rather than queued
/// without bound.
/// </summary>
public sealed class ImageClassifier : IDisposable
{
    /// <summary>How many classes a call answers when it does not say.</summary>
    public const int DefaultTop = 5;

    private readonly ModelHost _host;
    private readonly ConcurrencyLimiter _limiter;
    private readonly CrossVitInstruments _metrics;

    internal ImageClassifier(ModelHost host, IOptions<CrossVitOptions> options, IMeterFactory meters)
    {
        _host = host;
        Options = options.Value;
        _limiter = new ConcurrencyLimiter(new ConcurrencyLimiterOptions
        {
            PermitLimit = Options.Concurrency,
            QueueLimit = Options.QueueLimit,
            QueueProcessingOrder = QueueProcessingOrder.OldestFirst,
        });
        _metrics = new CrossVitInstruments(meters, () => QueueLength, () => Options.Concurrency - (int)_limiter.GetStatistics()!.CurrentAvailablePermits);
    }

    /// <summary>The validated settings.</summary>
    public CrossVitOptions Options { get; }

    /// <summary>Whether the model has loaded; until then every call is refused with <see cref="RejectionReasons.ModelNotReady"/>.</summary>
    public bool IsReady => _host.Current is not null;

    /// <summary>The loaded model.</summary>
    /// <exception cref="CrossVitUnavailableException">It is still loading, or failed to.</exception>
    public LoadedCrossVitModel Model => _host.Current ?? throw NotReady();

    /// <summary>What stopped the model loading, or <c>null</c> while it loads or once it has.</summary>
    internal Exception? LoadError => _host.Loaded.IsFaulted ? _host.Loaded.Exception!.InnerException : null;

    /// <summary>Calls waiting for a slot now.</summary>
    public int QueueLength => (int)_limiter.GetStatistics()!.CurrentQueuedCount;

    /// <summary>Waits until the model has loaded; throws what stopped it loading, if anything did.</summary>
    public Task<LoadedCrossVitModel> WaitForModelAsync(CancellationToken cancellationToken = default) =>
        _host.Loaded.WaitAsync(cancellationToken);

    /// <summary>
    /// Refuses a call before its input is read when the model is not ready or the queue is already full: an overloaded
    /// HTTP server then answers at once instead of after an upload it would discard. Every call still enforces the limit.
    /// </summary>
    /// <exception cref="CrossVitUnavailableException">The call would be refused.</exception>
    public void ThrowIfSaturated()
    {
        if (!IsReady) throw NotReady();
        var statistics = _limiter.GetStatistics()!;
        if (statistics.CurrentAvailablePermits == 0 && statistics.CurrentQueuedCount >= Options.QueueLimit) throw QueueFull();
    }

    /// <summary>Classifies one encoded image (PNG, JPEG, BMP, PPM/PGM).</summary>
    /// <exception cref="ImageFormatException">The bytes are not an image this runtime decodes, or it exceeds <see cref="CrossVitOptions.MaxImagePixels"/>.</exception>
    public Task<ClassificationResult> ClassifyAsync(ReadOnlyMemory<byte> image, int top = DefaultTop, CancellationToken cancellationToken = default) =>
        ClassifyAsync([ImageInput.FromEncoded(image)], top, cancellationToken);

    /// <summary>Classifies one image already decoded to RGB pixels.</summary>
    public Task<ClassificationResult> ClassifyAsync(RgbImage image, int top = DefaultTop, CancellationToken cancellationToken = default) =>
        ClassifyAsync([ImageInput.FromPixels(image)], top, cancellationToken);

    /// <summary>Reads an encoded image from <paramref name="image"/> (at most <see cref="CrossVitOptions.MaxBodyBytes"/>) and classifies it.</summary>
    /// <exception cref="ArgumentException">The stream is longer than <see cref="CrossVitOptions.MaxBodyBytes"/>.</exception>
    public async Task<ClassificationResult> ClassifyAsync(Stream image, int top = DefaultTop, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(image);
        ThrowIfSaturated();
        using var buffer = new MemoryStream();
        var chunk = new byte[81920];
        int read;
        while ((read = await image.ReadAsync(chunk, cancellationToken)) > 0)
        {
            if (buffer.Length + read > Options.MaxBodyBytes)
                throw new ArgumentException($"The image stream is longer than {Options.MaxBodyBytes} bytes ({CrossVitOptions.Section}:MaxBodyBytes).", nameof(image));
            buffer.Write(chunk, 0, read);
        }
        return await ClassifyAsync(buffer.GetBuffer().AsMemory(0, (int)buffer.Length), top, cancellationToken);
    }

    /// <summary>
    /// Classifies up to <see cref="CrossVitOptions.MaxBatch"/> images as one batch; one result per image, in order. Decoding
    /// runs inside the slot too, so that the memory of decoded images is bounded by the concurrency, not by the callers.
    /// </summary>
    /// <param name="images">The images.</param>
    /// <param name="top">Classes per image, from 1 to the model's class count.</param>
    /// <param name="cancellationToken">Stops waiting; an inference already running finishes in its slot regardless.</param>
    /// <exception cref="ArgumentException">No images, too many, or <paramref name="top"/> out of range.</exception>
    /// <exception cref="ImageFormatException">An image did not decode; with several, the message says which.</exception>
    /// <exception cref="CrossVitUnavailableException">The model is not ready, the queue is full, or no slot freed up in time.</exception>
    /// <exception cref="CrossVitTimeoutException">The inference outran the request timeout.</exception>
    public async Task<ClassificationResult> ClassifyAsync(IReadOnlyList<ImageInput> images, int top = DefaultTop, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(images);
        var loaded = Model;
        ImageClassification.CheckModel(loaded.Model.Config);
        int classes = loaded.Model.Config.NumClasses;
        if (top < 1 || top > classes)
            throw new ArgumentOutOfRangeException(nameof(top), top, $"Top {top} is invalid; expected an integer from 1 to {classes}.");
        if (images.Count < 1 || images.Count > Options.MaxBatch)
            throw new ArgumentException($"The call has {images.Count} images; expected 1 to {Options.MaxBatch} ({CrossVitOptions.Section}:MaxBatch).", nameof(images));
        var limits = new DecodeLimits(MaxPixels: Options.MaxImagePixels);
        var result = await RunAsync(model => Classify(model, images, top, limits), cancellationToken);
        _metrics.ImagesClassified.Add(images.Count);
        return new ClassificationResult(loaded.Name, result.Value, result.Timings);
    }

    /// <summary>
    /// Runs <paramref name="work"/> (CPU-bound: the caller's use of the model) once a slot is free, with the same limits,
    /// timeout and metrics as the classify calls: for raw logits, features or batches shaped by the caller.
    /// </summary>
    /// <exception cref="CrossVitUnavailableException">The model is not ready, the queue is full, or no slot freed up in time.</exception>
    /// <exception cref="CrossVitTimeoutException">The work started but did not finish within the request timeout.</exception>
    public async Task<InferenceResult<T>> RunAsync<T>(Func<CrossVitModel, T> work, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(work);
        long arrived = Stopwatch.GetTimestamp();
        string? error = null;
        try
        {
            var model = Model.Model;
            using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            deadline.CancelAfter(Options.RequestTimeout);
            RateLimitLease lease;
            try
            {
                lease = await _limiter.AcquireAsync(1, deadline.Token);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                throw Reject(RejectionReasons.QueueTimeout, $"No inference slot freed up within the request timeout of {Seconds}; the service is overloaded, retry later.");
            }
            if (!lease.IsAcquired)
            {
                lease.Dispose();
                throw QueueFull();
            }

            var queueWait = Stopwatch.GetElapsedTime(arrived);
            _metrics.QueueDuration.Record(queueWait.TotalSeconds);
            // The slot is released when the work ends, not when the caller stops waiting for it: inference cannot be
            // interrupted, so a timed-out call still occupies its core until it finishes.
            var running = Task.Run(() =>
            {
                using (lease)
                {
                    long started = Stopwatch.GetTimestamp();
                    var value = work(model);
                    var duration = Stopwatch.GetElapsedTime(started);
                    _metrics.InferenceDuration.Record(duration.TotalSeconds);
                    return new InferenceResult<T>(value, new InferenceTimings(queueWait, duration));
                }
            }, CancellationToken.None);
            try
            {
                return await running.WaitAsync(deadline.Token);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                _metrics.Rejected(RejectionReasons.InferenceTimeout);
                throw new CrossVitTimeoutException($"Inference did not finish within the request timeout of {Seconds}.");
            }
        }
        catch (Exception e)
        {
            error = e is CrossVitUnavailableException busy ? busy.Reason
                : e is CrossVitTimeoutException ? RejectionReasons.InferenceTimeout
                : e is ImageFormatException ? RejectionReasons.InvalidImage
                : e.GetType().FullName;
            if (e is ImageFormatException) _metrics.Rejected(RejectionReasons.InvalidImage);
            throw;
        }
        finally
        {
            var elapsed = Stopwatch.GetElapsedTime(arrived).TotalSeconds;
            if (error is null) _metrics.RequestDuration.Record(elapsed);
            else _metrics.RequestDuration.Record(elapsed, new KeyValuePair<string, object?>("error.type", error));
        }
    }

    private string Seconds => $"{Options.RequestTimeout.TotalSeconds:0.#} s";

    /// <summary>Decodes the images into one batch and classifies it (<see cref="ImageClassification"/>).</summary>
    private static Prediction[][] Classify(CrossVitModel model, IReadOnlyList<ImageInput> images, int k, DecodeLimits limits)
    {
        int n = images.Count, image = ImageClassification.SlotSize(model.Config);
        // Pooled: a 240 × 240 image's tensor alone is over the large-object threshold, so a fresh one per call would be
        // collected only with generation 2.
        using var batch = SpanOwner<float>.Allocate(n * image);
        for (int i = 0; i < n; i++)
            ImageClassification.Preprocess(model.Config, Decode(images, i, limits), batch.Span.Slice(i * image, image));
        return ImageClassification.Classify(model, batch.Span, n, k);
    }

    /// <summary>Decodes one image; with several, the message says which one was malformed.</summary>
    private static RgbImage Decode(IReadOnlyList<ImageInput> images, int i, DecodeLimits limits)
    {
        try
        {
            return images[i].Decode(limits);
        }
        catch (ImageFormatException e) when (images.Count > 1)
        {
            throw new ImageFormatException($"image {i + 1} of {images.Count} ('{images[i].Name}'): {e.Message}", e);
        }
    }

    private CrossVitUnavailableException NotReady() => LoadError is { } error
        ? Reject(RejectionReasons.ModelNotReady, $"The model failed to load: {error.Message}", error)
        : Reject(RejectionReasons.ModelNotReady, "The model is still loading; retry shortly.");

    private CrossVitUnavailableException QueueFull() => Reject(RejectionReasons.QueueFull,
        $"The service is at capacity: {Options.Concurrency} calls are running and {Options.QueueLimit} are queued; retry later.");

    private CrossVitUnavailableException Reject(string reason, string message, Exception? inner = null)
    {
        _metrics.Rejected(reason);
        return new CrossVitUnavailableException(reason, message, inner);
    }

    /// <summary>Releases the limiter; the model belongs to the host that loaded it.</summary>
    public void Dispose() => _limiter.Dispose();
}

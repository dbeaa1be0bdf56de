using System.Diagnostics.Metrics;

namespace CrossVit.Hosting;

/// <summary>
/// The instruments of <see cref="ImageClassifier"/>: one <see cref="Meter"/> named <see cref="MeterName"/>, created
/// through <see cref="IMeterFactory"/>, with names and units after OpenTelemetry's semantic conventions. Export them by
/// adding the meter, e.g. <c>services.AddOpenTelemetry().WithMetrics(m =&gt; m.AddMeter(CrossVitMetrics.MeterName))</c>.
/// </summary>
public static class CrossVitMetrics
{
    /// <summary>The meter's name.</summary>
    public const string MeterName = "CrossVit";

    /// <summary>Histogram, seconds: decoding plus inference of one call, inside its slot.</summary>
    public const string InferenceDuration = "crossvit.inference.duration";

    /// <summary>Histogram, seconds: one call from its arrival to its answer, queue wait included; tagged <c>error.type</c> when it failed.</summary>
    public const string RequestDuration = "crossvit.request.duration";

    /// <summary>Histogram, seconds: how long calls waited for a slot.</summary>
    public const string QueueDuration = "crossvit.queue.duration";

    /// <summary>Counter, images classified.</summary>
    public const string ImagesClassified = "crossvit.images.classified";

    /// <summary>Counter, calls refused or failed for the <c>reason</c> tag's <see cref="RejectionReasons"/>.</summary>
    public const string RequestsRejected = "crossvit.requests.rejected";

    /// <summary>Up-down counter: calls waiting for a slot.</summary>
    public const string QueueLength = "crossvit.queue.length";

    /// <summary>Up-down counter: slots in use, each running on a session from the model's pool.</summary>
    public const string SessionsBusy = "crossvit.sessions.busy";
}

/// <summary>The instruments themselves; queue length and busy sessions are observed from the limiter when collected.</summary>
internal sealed class CrossVitInstruments
{
    // Seconds at the scale of a CPU forward pass (tens of milliseconds to tens of seconds in a queue), instead of the
    // default buckets, which are sized for milliseconds.
    private static readonly double[] SecondsBuckets = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120];

    public CrossVitInstruments(IMeterFactory meters, Func<int> queueLength, Func<int> sessionsBusy)
    {
        var meter = meters.Create(CrossVitMetrics.MeterName);
        var advice = new InstrumentAdvice<double> { HistogramBucketBoundaries = SecondsBuckets };
        InferenceDuration = meter.CreateHistogram(CrossVitMetrics.InferenceDuration, "s", "Decoding plus inference of one call, inside its slot.", advice: advice);
        RequestDuration = meter.CreateHistogram(CrossVitMetrics.RequestDuration, "s", "One call from arrival to answer, queue wait included.", advice: advice);
        QueueDuration = meter.CreateHistogram(CrossVitMetrics.QueueDuration, "s", "Time calls waited for a slot.", advice: advice);
        ImagesClassified = meter.CreateCounter<long>(CrossVitMetrics.ImagesClassified, "{image}", "Images classified.");
        RequestsRejected = meter.CreateCounter<long>(CrossVitMetrics.RequestsRejected, "{request}", "Calls refused or failed, by reason.");
        meter.CreateObservableUpDownCounter(CrossVitMetrics.QueueLength, queueLength, "{request}", "Calls waiting for a slot.");
        meter.CreateObservableUpDownCounter(CrossVitMetrics.SessionsBusy, sessionsBusy, "{session}", "Slots in use, each on a pooled inference session.");
    }

    public Histogram<double> InferenceDuration { get; }

    public Histogram<double> RequestDuration { get; }

    public Histogram<double> QueueDuration { get; }

    public Counter<long> ImagesClassified { get; }

    public Counter<long> RequestsRejected { get; }

    public void Rejected(string reason) => RequestsRejected.Add(1, new KeyValuePair<string, object?>("reason", reason));
}

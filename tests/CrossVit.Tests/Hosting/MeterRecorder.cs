using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using CrossVit.Hosting;

namespace CrossVit.Tests.Hosting;

/// <summary>
/// Records the CrossVit meter's measurements of one service provider (its <see cref="IMeterFactory"/>), so that hosts
/// of other tests running at the same time do not count.
/// </summary>
internal sealed class MeterRecorder : IDisposable
{
    private readonly MeterListener _listener = new();
    private readonly ConcurrentQueue<(string Instrument, double Value, KeyValuePair<string, object?>[] Tags)> _measurements = new();

    public MeterRecorder(IMeterFactory scope)
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == CrossVitMetrics.MeterName && ReferenceEquals(instrument.Meter.Scope, scope))
                listener.EnableMeasurementEvents(instrument);
        };
        _listener.SetMeasurementEventCallback<double>((instrument, value, tags, _) => _measurements.Enqueue((instrument.Name, value, tags.ToArray())));
        _listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) => _measurements.Enqueue((instrument.Name, value, tags.ToArray())));
        _listener.SetMeasurementEventCallback<int>((instrument, value, tags, _) => _measurements.Enqueue((instrument.Name, value, tags.ToArray())));
        _listener.Start();
    }

    /// <summary>The values recorded for <paramref name="instrument"/>, optionally only those with a tag of that value.</summary>
    public double[] Values(string instrument, string? tag = null, string? value = null) =>
        [.. _measurements.Where(m => m.Instrument == instrument && (tag is null || m.Tags.Any(t => t.Key == tag && Equals(t.Value, value)))).Select(m => m.Value)];

    /// <summary>The current value of an observable instrument.</summary>
    public double Observe(string instrument)
    {
        _listener.RecordObservableInstruments();
        return Values(instrument)[^1];
    }

    public void Dispose() => _listener.Dispose();
}

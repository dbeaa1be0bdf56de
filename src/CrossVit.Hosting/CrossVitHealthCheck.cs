using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace CrossVit.Hosting;

/// <summary>The health of <see cref="ImageClassifier"/>: whether its model is loaded and how full its queue is.</summary>
public sealed class CrossVitHealthCheck(ImageClassifier classifier) : IHealthCheck
{
    /// <summary>
    /// The share of <see cref="CrossVitOptions.QueueLimit"/> from which the check reports degraded: early enough for a
    /// balancer to steer new work elsewhere before requests are refused.
    /// </summary>
    public const double DegradedQueueFraction = 0.8;

    /// <inheritdoc />
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(Check());

    private HealthCheckResult Check()
    {
        if (classifier.LoadError is { } error) return HealthCheckResult.Unhealthy($"The model failed to load: {error.Message}", error);
        if (!classifier.IsReady) return HealthCheckResult.Unhealthy("The model is loading.");
        var options = classifier.Options;
        int queued = classifier.QueueLength;
        var data = new Dictionary<string, object> { ["model"] = classifier.Model.Name, ["queue_length"] = queued, ["queue_limit"] = options.QueueLimit };
        return options.QueueLimit > 0 && queued >= DegradedQueueFraction * options.QueueLimit
            ? HealthCheckResult.Degraded($"The queue is nearly full: {queued} of {options.QueueLimit} calls wait.", data: data)
            : HealthCheckResult.Healthy($"{classifier.Model.Name} is loaded; {queued} calls wait.", data);
    }
}

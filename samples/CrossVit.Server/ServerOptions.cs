using CrossVit.Hosting;

namespace CrossVit.Server;

/// <summary>
/// The HTTP server's own settings, beside <see cref="CrossVitOptions"/> in the same <c>CrossVit</c> section
/// (appsettings.json, <c>--CrossVit:Key=value</c> on the command line, or environment variables such as
/// <c>CROSSVIT__RETRYAFTERSECONDS</c>).
/// </summary>
internal sealed class ServerOptions
{
    /// <summary>The <c>Retry-After</c> of 503 answers, in seconds.</summary>
    public int RetryAfterSeconds { get; set; } = 1;

    /// <summary>How long shutdown waits for requests in flight, queued ones included.</summary>
    public TimeSpan ShutdownTimeout { get; set; } = TimeSpan.FromSeconds(30);
}

namespace CrossVit.Server;

/// <summary>
/// The <c>CrossVit</c> configuration section (appsettings.json, <c>--CrossVit:Key=value</c> on the command line, or
/// environment variables such as <c>CROSSVIT__WEIGHTS</c>).
/// </summary>
internal sealed class ServerOptions
{
    public const string Section = "CrossVit";

    /// <summary>Checkpoint (.safetensors). Without it the seeded random crossvit_9_dagger_240 runs.</summary>
    public string? Weights { get; set; }

    /// <summary>Preset name of <see cref="Weights"/>; needed unless its metadata carries the config or <see cref="Config"/> is set.</summary>
    public string? Model { get; set; }

    /// <summary>Config JSON of <see cref="Weights"/> (the runtime's schema or timm's config.json).</summary>
    public string? Config { get; set; }

    /// <summary>Worker threads of each pooled inference session.</summary>
    public int Threads { get; set; } = 1;

    /// <summary>Requests inferring at once; unset, as many as keep every core busy: cores / <see cref="Threads"/>.</summary>
    public int? MaxConcurrency { get; set; }

    /// <summary><see cref="MaxConcurrency"/> or its default.</summary>
    public int Concurrency => MaxConcurrency ?? Math.Max(1, Environment.ProcessorCount / Threads);

    /// <summary>Requests waiting for a free slot; one more is answered 503. Deep enough for a few hundred clients.</summary>
    public int QueueLimit { get; set; } = 512;

    /// <summary>Largest request body in bytes (413 beyond).</summary>
    public long MaxBodyBytes { get; set; } = 20 * 1024 * 1024;

    /// <summary>Most images in one multipart classify request, and the largest batch of a logits request.</summary>
    public int MaxBatch { get; set; } = 8;

    /// <summary>Largest decoded image in pixels: bounds the memory a small compressed upload can claim (3 bytes a pixel).</summary>
    public long MaxImagePixels { get; set; } = 40_000_000;

    /// <summary>
    /// Time a request may wait for a slot plus infer; 503 if it is still queued, 504 if it is still running. Generous,
    /// so that a full default queue drains in time even on a slow or shared machine.
    /// </summary>
    public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromSeconds(120);

    /// <summary>The <c>Retry-After</c> of 503 answers, in seconds.</summary>
    public int RetryAfterSeconds { get; set; } = 1;

    /// <summary>How long shutdown waits for requests in flight.</summary>
    public TimeSpan ShutdownTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Throws an <see cref="ArgumentException"/> naming the setting when a value is out of range.</summary>
    public ServerOptions Validate()
    {
        Positive(nameof(Threads), Threads);
        Positive(nameof(MaxConcurrency), Concurrency);
        if (QueueLimit < 0) throw Invalid(nameof(QueueLimit), QueueLimit, "0 or more");
        Positive(nameof(MaxBodyBytes), MaxBodyBytes);
        Positive(nameof(MaxBatch), MaxBatch);
        Positive(nameof(MaxImagePixels), MaxImagePixels);
        if (RequestTimeout <= TimeSpan.Zero) throw Invalid(nameof(RequestTimeout), RequestTimeout, "a positive time span such as 00:01:00");
        if (RetryAfterSeconds < 0) throw Invalid(nameof(RetryAfterSeconds), RetryAfterSeconds, "0 or more");
        if (ShutdownTimeout < TimeSpan.Zero) throw Invalid(nameof(ShutdownTimeout), ShutdownTimeout, "a time span of 0 or more");
        return this;
    }

    private static void Positive(string name, long value)
    {
        if (value < 1) throw Invalid(name, value, "a positive integer");
    }

    private static ArgumentException Invalid(string name, object value, string expected) =>
        new($"Invalid server setting {Section}:{name} = {value}; expected {expected}.", name);
}

namespace CrossVit.Hosting;

/// <summary>
/// Settings of <see cref="ImageClassifier"/>, bound from a configuration section (conventionally <c>CrossVit</c>:
/// appsettings.json, <c>--CrossVit:Key=value</c> on the command line, or environment variables such as
/// <c>CROSSVIT__WEIGHTS</c>). Checked when the host starts; an invalid value stops it with a message naming the setting.
/// </summary>
public sealed class CrossVitOptions
{
    /// <summary>The configuration section these options are conventionally bound from.</summary>
    public const string Section = "CrossVit";

    /// <summary>Checkpoint (.safetensors). Without it the seeded random crossvit_9_dagger_240 runs, whose predictions mean nothing.</summary>
    public string? Weights { get; set; }

    /// <summary>Preset name of <see cref="Weights"/>; needed unless its metadata carries the config or <see cref="Config"/> is set.</summary>
    public string? Model { get; set; }

    /// <summary>Config JSON of <see cref="Weights"/> (the runtime's schema or timm's config.json).</summary>
    public string? Config { get; set; }

    /// <summary>Worker threads of each pooled inference session.</summary>
    public int Threads { get; set; } = 1;

    /// <summary>Calls decoding and inferring at once; unset, as many as keep every core busy: cores / <see cref="Threads"/>.</summary>
    public int? MaxConcurrency { get; set; }

    /// <summary><see cref="MaxConcurrency"/> or its default.</summary>
    public int Concurrency => MaxConcurrency ?? Math.Max(1, Environment.ProcessorCount / Math.Max(1, Threads));

    /// <summary>Calls waiting for a free slot; one more is refused at once. Deep enough for a few hundred clients.</summary>
    public int QueueLimit { get; set; } = 512;

    /// <summary>Largest encoded image read from a stream, in bytes; hosts also cap request bodies with it.</summary>
    public long MaxBodyBytes { get; set; } = 20 * 1024 * 1024;

    /// <summary>Most images in one call, and the largest batch a pooled session runs at once.</summary>
    public int MaxBatch { get; set; } = 8;

    /// <summary>Largest decoded image in pixels: bounds the memory a small compressed upload can claim (3 bytes a pixel).</summary>
    public long MaxImagePixels { get; set; } = 40_000_000;

    /// <summary>
    /// Time a call may wait for a slot plus infer. Generous, so that a full default queue drains in time even on a slow
    /// or shared machine.
    /// </summary>
    public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromSeconds(120);
}

using CrossVit.Runtime.Config;
using Microsoft.Extensions.Options;

namespace CrossVit.Hosting;

/// <summary>
/// Checks every setting, and that the files it names exist, before the model loads: a mistake then stops the host at
/// once with one message naming the setting, instead of surfacing later from the background load.
/// </summary>
internal sealed class CrossVitOptionsValidator : IValidateOptions<CrossVitOptions>
{
    private const string S = CrossVitOptions.Section;

    public ValidateOptionsResult Validate(string? name, CrossVitOptions options) =>
        FirstProblem(options) is { } problem ? ValidateOptionsResult.Fail(problem) : ValidateOptionsResult.Success;

    private static string? FirstProblem(CrossVitOptions o)
    {
        if (o.Threads < 1) return Invalid(nameof(o.Threads), o.Threads, "a positive integer");
        if (o.MaxConcurrency < 1) return Invalid(nameof(o.MaxConcurrency), o.MaxConcurrency, "a positive integer, or unset for cores / Threads");
        if (o.QueueLimit < 0) return Invalid(nameof(o.QueueLimit), o.QueueLimit, "0 or more");
        if (o.MaxBodyBytes < 1) return Invalid(nameof(o.MaxBodyBytes), o.MaxBodyBytes, "a positive integer");
        if (o.MaxBatch < 1) return Invalid(nameof(o.MaxBatch), o.MaxBatch, "a positive integer");
        if (o.MaxImagePixels < 1) return Invalid(nameof(o.MaxImagePixels), o.MaxImagePixels, "a positive integer");
        if (o.RequestTimeout <= TimeSpan.Zero) return Invalid(nameof(o.RequestTimeout), o.RequestTimeout, "a positive time span such as 00:01:00");
        if (o.Weights is null)
        {
            return o.Model is not null || o.Config is not null
                ? $"{S}:Model and {S}:Config describe the weights file; set {S}:Weights too, or none of them for the demo model."
                : null;
        }

        if (!File.Exists(o.Weights)) return $"The weights file '{o.Weights}' ({S}:Weights) does not exist.";
        if (o.Model is not null && o.Config is not null) return $"Set only one of {S}:Model and {S}:Config.";
        if (o.Model is not null && !Presets.TryGet(o.Model, out _))
            return $"Unknown CrossViT model '{o.Model}' ({S}:Model); expected one of: {string.Join(", ", Presets.Names)}.";
        if (o.Config is not null && !File.Exists(o.Config)) return $"The config file '{o.Config}' ({S}:Config) does not exist.";
        return null;
    }

    private static string Invalid(string setting, object? value, string expected) =>
        $"Invalid setting {S}:{setting} = {value}; expected {expected}.";
}

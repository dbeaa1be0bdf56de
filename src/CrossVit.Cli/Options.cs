using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;
using CrossVit.Runtime.Engine;

namespace CrossVit.Cli;

/// <summary>
/// Options with their bounds: a value that does not parse or lies outside them is a parse error naming the option,
/// the value and the range, reported like every other argument error.
/// </summary>
internal static class Options
{
    /// <summary>Most worker threads: a few per processor covers oversubscribed machines; beyond, threads only wait.</summary>
    public static int MaxThreads => 4 * Environment.ProcessorCount;

    public static Option<int> Threads() =>
        Int("--threads", $"Worker threads, 1 to {MaxThreads} (default: the processor count).", 1, MaxThreads, Environment.ProcessorCount);

    /// <summary>An integer option accepting <paramref name="min"/> to <paramref name="max"/>; required when it has no default.</summary>
    public static Option<int> Int(string name, string description, int min, int max, int? defaultValue = null)
    {
        var option = new Option<int>(name) { Description = description, Required = defaultValue is null, CustomParser = Parse };
        if (defaultValue is { } value) option.DefaultValueFactory = _ => value;
        return option;

        int Parse(ArgumentResult r)
        {
            if (Token(r) is not { } token) return defaultValue ?? 0;
            if (!long.TryParse(token, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long value))
            {
                bool digits = token.TrimStart('-', '+').All(char.IsAsciiDigit) && token.Length > 1;
                r.AddError(digits ? OutOfRange(name, token, min, max) : $"{name} {token} is not a whole number; expected {min} to {max}");
                return 0;
            }
            if (value < min || value > max) r.AddError(OutOfRange(name, token, min, max));
            return (int)Math.Clamp(value, int.MinValue, int.MaxValue);
        }
    }

    /// <summary>A number option accepting more than <paramref name="above"/> up to <paramref name="max"/>.</summary>
    public static Option<double> Fraction(string name, string description, double defaultValue, double above, double max) => new(name)
    {
        Description = description,
        DefaultValueFactory = _ => defaultValue,
        CustomParser = r =>
        {
            if (Token(r) is not { } token) return defaultValue;
            if (!double.TryParse(token, NumberStyles.Float, CultureInfo.InvariantCulture, out double value) || !double.IsFinite(value))
                r.AddError($"{name} {token} is not a number; expected a number above {above} and at most {max}");
            else if (!(value > above && value <= max))
                r.AddError($"{name} {token} is out of range; expected a number above {above} and at most {max}");
            return value;
        },
    };

    /// <summary>An optional comma-separated list of finite numbers, e.g. <c>0.485,0.456,0.406</c>.</summary>
    public static Option<float[]?> Numbers(string name, string description) => new(name)
    {
        Description = description,
        Arity = ArgumentArity.ExactlyOne,   // one comma-separated token, not the list type's default of many tokens
        CustomParser = r =>
        {
            if (Token(r) is not { } token) return null;
            var values = new List<float>();
            foreach (string part in token.Split(','))
            {
                if (!float.TryParse(part, NumberStyles.Float, CultureInfo.InvariantCulture, out float value) || !float.IsFinite(value))
                {
                    r.AddError($"{name} {token} is not a list of numbers; expected e.g. 0.5 or 0.485,0.456,0.406");
                    return null;
                }
                values.Add(value);
            }
            return [.. values];
        },
    };

    public static Option<BranchScheduling> Branches() => Choice("--branches",
        "How the branches share the threads: auto (cost model), sequential, or concurrent (a group of threads per branch).",
        "a schedule", BranchScheduling.Auto);

    public static Option<ImageScheduling> Images() => Choice("--images",
        "How a batch's images share the threads: perworker (whole images on each thread, the rest shared) or shared (every operation split).",
        "a schedule", ImageScheduling.PerWorker);

    /// <summary>An option taking one of <typeparamref name="T"/>'s names, in any case; digits are refused, though Enum.TryParse takes them.</summary>
    private static Option<T> Choice<T>(string name, string description, string what, T defaultValue)
        where T : struct, Enum
    {
        return new(name)
        {
            Description = description,
            DefaultValueFactory = _ => defaultValue,
            CustomParser = r =>
            {
                if (Token(r) is not { } token) return defaultValue;
                if (Enum.TryParse<T>(token, ignoreCase: true, out var value) && Enum.IsDefined(value) && !char.IsAsciiDigit(token[0]))
                    return value;
                var names = Enum.GetNames<T>().Select(n => n.ToLowerInvariant()).ToArray();
                r.AddError($"{name} {token} is not {what}; expected {string.Join(", ", names[..^1])} or {names[^1]}");
                return defaultValue;
            },
        };
    }

    private static string? Token(ArgumentResult r) => r.Tokens.Count == 0 ? null : r.Tokens[0].Value;

    private static string OutOfRange(string name, string token, int min, int max) => $"{name} {token} is out of range; expected {min} to {max}";
}

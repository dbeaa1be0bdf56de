using System.Text.Json;
using CrossVit.Runtime.Classification;

namespace CrossVit.Cli;

/// <summary>One image's answer from <c>classify</c>: its top classes, or why it could not be classified.</summary>
internal sealed record ImageAnswer(string Image, Prediction[]? Top, string? Error);

/// <summary>The two ways <c>classify</c> prints its answers.</summary>
internal static class ClassifyOutput
{
    /// <summary>Per image classified: its path, then one line per class, <c>  rank. label (index) probability</c>.</summary>
    public static void WriteText(TextWriter output, IReadOnlyList<ImageAnswer> answers)
    {
        foreach (var answer in answers)
        {
            if (answer.Top is null) continue;
            output.WriteLine(answer.Image);
            for (int rank = 0; rank < answer.Top.Length; rank++)
            {
                var p = answer.Top[rank];
                output.WriteLine($"  {rank + 1}. {p.Label} ({p.Index}) {p.Probability:F4}");
            }
        }
    }

    /// <summary>One <c>crossvit: error:</c> line per image that could not be classified.</summary>
    public static void WriteErrors(TextWriter errors, IReadOnlyList<ImageAnswer> answers)
    {
        foreach (var answer in answers)
            if (answer.Error is not null) errors.WriteLine($"crossvit: error: {answer.Error}");
    }

    /// <summary>
    /// One JSON array of <c>{"image", "top": [{"index", "label", "probability"}]}</c>, or <c>{"image", "error"}</c> for an
    /// image that failed. Written token by token with <see cref="Utf8JsonWriter"/> because reflection-based serialization
    /// is unavailable under NativeAOT.
    /// </summary>
    public static void WriteJson(Stream stream, IReadOnlyList<ImageAnswer> answers)
    {
        using var json = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true });
        json.WriteStartArray();
        foreach (var answer in answers)
        {
            json.WriteStartObject();
            json.WriteString("image", answer.Image);
            if (answer.Top is null)
            {
                json.WriteString("error", answer.Error);
            }
            else
            {
                json.WriteStartArray("top");
                foreach (var p in answer.Top)
                {
                    json.WriteStartObject();
                    json.WriteNumber("index", p.Index);
                    json.WriteString("label", p.Label);
                    json.WriteNumber("probability", p.Probability);
                    json.WriteEndObject();
                }
                json.WriteEndArray();
            }
            json.WriteEndObject();
        }
        json.WriteEndArray();
        json.Flush();
        stream.WriteByte((byte)'\n');
    }
}

using System.Text.Json;
using CrossVit.Runtime.Classification;

namespace CrossVit.Cli;

/// <summary>The two ways <c>classify</c> prints its answers.</summary>
internal static class ClassifyOutput
{
    /// <summary>Per image: its path, then one line per class, <c>  rank. label (index) probability</c>.</summary>
    public static void WriteText(TextWriter writer, IReadOnlyList<string> images, IReadOnlyList<Prediction[]> results)
    {
        for (int i = 0; i < images.Count; i++)
        {
            writer.WriteLine(images[i]);
            for (int rank = 0; rank < results[i].Length; rank++)
            {
                var p = results[i][rank];
                writer.WriteLine($"  {rank + 1}. {p.Label} ({p.Index}) {p.Probability:F4}");
            }
        }
    }

    /// <summary>
    /// One JSON array of <c>{"image", "top": [{"index", "label", "probability"}]}</c>. Written token by token with
    /// <see cref="Utf8JsonWriter"/> because reflection-based serialization is unavailable under NativeAOT.
    /// </summary>
    public static void WriteJson(Stream stream, IReadOnlyList<string> images, IReadOnlyList<Prediction[]> results)
    {
        using var json = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true });
        json.WriteStartArray();
        for (int i = 0; i < images.Count; i++)
        {
            json.WriteStartObject();
            json.WriteString("image", images[i]);
            json.WriteStartArray("top");
            foreach (var p in results[i])
            {
                json.WriteStartObject();
                json.WriteNumber("index", p.Index);
                json.WriteString("label", p.Label);
                json.WriteNumber("probability", p.Probability);
                json.WriteEndObject();
            }
            json.WriteEndArray();
            json.WriteEndObject();
        }
        json.WriteEndArray();
        json.Flush();
        stream.WriteByte((byte)'\n');
    }
}

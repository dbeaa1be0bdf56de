using System.Buffers.Binary;
using System.Text;
using System.Text.Json;
using System.Text.Unicode;

namespace CrossVit.Weights;

/// <summary>The parsed and validated header of a safetensors file.</summary>
/// <param name="DataOffset">Where the data section starts, from the start of the file.</param>
/// <param name="Metadata">The "__metadata__" entries.</param>
/// <param name="Tensors">The tensors, ordered by <see cref="TensorInfo.DataStart"/> (ties in header order).</param>
internal sealed record SafetensorsHeader(long DataOffset, IReadOnlyDictionary<string, string> Metadata, IReadOnlyList<TensorInfo> Tensors)
{
    /// <summary>Size of the little-endian u64 header length that starts the file.</summary>
    public const int LengthPrefixSize = 8;

    /// <summary>Same limit as the reference Rust implementation; stops absurd headers before any allocation.</summary>
    public const long MaxHeaderLength = 100_000_000;

    private const string MetadataKey = "__metadata__";

    /// <summary>Rejects files too short to hold the header length.</summary>
    public static void CheckMinimumLength(long fileLength)
    {
        if (fileLength < LengthPrefixSize)
        {
            throw new TensorFormatException($"safetensors file is {fileLength} bytes long; expected at least {LengthPrefixSize} bytes for the header length.");
        }
    }

    /// <summary>Reads and checks the header length from the first 8 bytes of a file of <paramref name="fileLength"/> bytes.</summary>
    public static int ReadHeaderLength(ReadOnlySpan<byte> prefix, long fileLength)
    {
        CheckMinimumLength(fileLength);
        ulong length = BinaryPrimitives.ReadUInt64LittleEndian(prefix);
        if (length > (ulong)(fileLength - LengthPrefixSize))
        {
            throw new TensorFormatException($"safetensors header length {length} runs past the end of the file; expected at most {fileLength - LengthPrefixSize} bytes.");
        }

        if (length > MaxHeaderLength)
        {
            throw new TensorFormatException($"safetensors header length {length} exceeds the limit of {MaxHeaderLength} bytes.");
        }

        return (int)length;
    }

    /// <summary>Parses the JSON header and validates every tensor against a data section of <paramref name="dataLength"/> bytes.</summary>
    public static SafetensorsHeader Parse(ReadOnlySpan<byte> json, long dataLength)
    {
        if (!Utf8.IsValid(json))
        {
            throw new TensorFormatException("safetensors header is not valid UTF-8; expected UTF-8 JSON.");
        }

        try
        {
            var reader = new Utf8JsonReader(json, new JsonReaderOptions { CommentHandling = JsonCommentHandling.Disallow });
            var (metadata, tensors) = ReadRoot(ref reader, dataLength);
            CheckNoOverlap(tensors);
            return new SafetensorsHeader(
                LengthPrefixSize + json.Length,
                metadata,
                tensors.OrderBy(t => t.DataStart).ToArray());
        }
        catch (JsonException e)
        {
            throw new TensorFormatException($"safetensors header is not valid JSON ({e.Message}); expected a JSON object.", e);
        }
    }

    private static (Dictionary<string, string> Metadata, List<TensorInfo> Tensors) ReadRoot(ref Utf8JsonReader reader, long dataLength)
    {
        Next(ref reader);
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            throw new TensorFormatException($"safetensors header is a JSON {reader.TokenType}; expected a JSON object.");
        }

        var metadata = new Dictionary<string, string>(StringComparer.Ordinal);
        var tensors = new List<TensorInfo>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        while (Next(ref reader) == JsonTokenType.PropertyName)
        {
            string name = reader.GetString()!;
            if (!seen.Add(name))
            {
                // System.Text.Json would keep one of the two silently.
                throw new TensorFormatException($"safetensors header names '{name}' twice; expected unique tensor names.");
            }

            Next(ref reader);
            if (name == MetadataKey)
            {
                ReadMetadata(ref reader, metadata);
            }
            else
            {
                tensors.Add(ReadTensor(ref reader, name, dataLength));
            }
        }

        if (reader.Read())
        {
            throw new TensorFormatException("safetensors header has content after the JSON object; expected a single object.");
        }

        return (metadata, tensors);
    }

    private static void ReadMetadata(ref Utf8JsonReader reader, Dictionary<string, string> metadata)
    {
        Expect(ref reader, JsonTokenType.StartObject, $"'{MetadataKey}'", "an object of string values");
        while (Next(ref reader) == JsonTokenType.PropertyName)
        {
            string key = reader.GetString()!;
            Next(ref reader);
            Expect(ref reader, JsonTokenType.String, $"'{MetadataKey}' entry '{key}'", "a string");
            if (!metadata.TryAdd(key, reader.GetString()!))
            {
                throw new TensorFormatException($"'{MetadataKey}' has key '{key}' twice; expected unique keys.");
            }
        }
    }

    private static TensorInfo ReadTensor(ref Utf8JsonReader reader, string name, long dataLength)
    {
        string what = $"tensor '{name}'";
        Expect(ref reader, JsonTokenType.StartObject, what, "an object with dtype, shape and data_offsets");
        DType? dtype = null;
        List<long>? shape = null;
        List<long>? offsets = null;
        while (Next(ref reader) == JsonTokenType.PropertyName)
        {
            string field = reader.GetString()!;
            Next(ref reader);
            switch (field)
            {
                case "dtype" when dtype is null:
                    dtype = ReadDType(ref reader, what);
                    break;
                case "shape" when shape is null:
                    shape = ReadIntegers(ref reader, $"{what} shape");
                    break;
                case "data_offsets" when offsets is null:
                    offsets = ReadIntegers(ref reader, $"{what} data_offsets");
                    break;
                case "dtype" or "shape" or "data_offsets":
                    throw new TensorFormatException($"{what} has field '{field}' twice; expected it once.");
                default:
                    // Unknown fields are ignored, as the reference implementation does.
                    reader.Skip();
                    break;
            }
        }

        if (dtype is null || shape is null || offsets is null)
        {
            string missing = dtype is null ? "dtype" : shape is null ? "shape" : "data_offsets";
            throw new TensorFormatException($"{what} has no '{missing}' field; expected dtype, shape and data_offsets.");
        }

        if (offsets.Count != 2)
        {
            throw new TensorFormatException($"{what} data_offsets has {offsets.Count} entries; expected two integers [begin, end].");
        }

        var info = new TensorInfo(name, dtype.Value, shape, offsets[0], offsets[1]);
        CheckExtent(info, dataLength);
        return info;
    }

    private static DType ReadDType(ref Utf8JsonReader reader, string what)
    {
        Expect(ref reader, JsonTokenType.String, $"{what} dtype", "a string");
        string name = reader.GetString()!;
        return DTypes.TryParse(name, out var dtype)
            ? dtype
            : throw new TensorFormatException(
                $"{what} has unknown dtype '{name}'; expected one of {string.Join(", ", Enum.GetValues<DType>().Select(DTypes.ToSafetensorsName))}.");
    }

    private static List<long> ReadIntegers(ref Utf8JsonReader reader, string what)
    {
        Expect(ref reader, JsonTokenType.StartArray, what, "an array of non-negative integers");
        var values = new List<long>();
        while (Next(ref reader) != JsonTokenType.EndArray)
        {
            if (reader.TokenType != JsonTokenType.Number || !reader.TryGetInt64(out long value) || value < 0)
            {
                string found = reader.TokenType == JsonTokenType.Number ? Encoding.UTF8.GetString(reader.ValueSpan) : reader.TokenType.ToString();
                throw new TensorFormatException($"{what} contains {found}; expected non-negative integers that fit in 64 bits.");
            }

            values.Add(value);
        }

        return values;
    }

    private static void CheckExtent(TensorInfo info, long dataLength)
    {
        string what = $"tensor '{info.Name}'";
        if (!Shapes.TryGetElementCount(info.Shape, out long count)
            || !Shapes.TryMultiply(count, DTypes.SizeOf(info.DType), out long byteLength))
        {
            throw new TensorFormatException($"{what} shape {Shapes.Format(info.Shape)} has too many elements; expected a byte size that fits in 64 bits.");
        }

        if (info.DataStart > info.DataEnd)
        {
            throw new TensorFormatException($"{what} data_offsets [{info.DataStart}, {info.DataEnd}] are reversed; expected begin <= end.");
        }

        if (info.DataEnd > dataLength)
        {
            throw new TensorFormatException($"{what} data_offsets end {info.DataEnd} is past the end of the data section; expected at most {dataLength}.");
        }

        if (info.ByteLength != byteLength)
        {
            throw new TensorFormatException(
                $"{what} data_offsets span {info.ByteLength} bytes; expected {byteLength} bytes for {DTypes.ToSafetensorsName(info.DType)} shape {Shapes.Format(info.Shape)}.");
        }
    }

    private static void CheckNoOverlap(List<TensorInfo> tensors)
    {
        TensorInfo? furthest = null;
        foreach (var t in tensors.Where(t => t.ByteLength > 0).OrderBy(t => t.DataStart))
        {
            if (furthest is not null && t.DataStart < furthest.DataEnd)
            {
                throw new TensorFormatException(
                    $"tensor '{t.Name}' data [{t.DataStart}, {t.DataEnd}) overlaps tensor '{furthest.Name}' data [{furthest.DataStart}, {furthest.DataEnd}); expected disjoint byte ranges.");
            }

            if (furthest is null || t.DataEnd > furthest.DataEnd)
            {
                furthest = t;
            }
        }
    }

    private static JsonTokenType Next(ref Utf8JsonReader reader) =>
        reader.Read() ? reader.TokenType : throw new TensorFormatException("safetensors header JSON ends early; expected a complete object.");

    private static void Expect(ref Utf8JsonReader reader, JsonTokenType expected, string what, string description)
    {
        if (reader.TokenType != expected)
        {
            throw new TensorFormatException($"{what} is a JSON {reader.TokenType}; expected {description}.");
        }
    }
}

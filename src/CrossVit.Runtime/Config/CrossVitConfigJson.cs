using System.Globalization;
using System.Text;
using System.Text.Json;

namespace CrossVit.Runtime.Config;

/// <summary>
/// Reads and writes <see cref="CrossVitConfig"/> as JSON: the runtime's snake_case schema (per-branch lists,
/// lucid/IBM style), and timm's Hugging Face <c>config.json</c> (<c>"architecture"</c> names a preset; top-level
/// <c>num_classes</c>, <c>global_pool</c>, <c>model_args</c> and <c>pretrained_cfg</c>'s <c>crop_pct</c>, <c>mean</c>
/// and <c>std</c> override it).
/// Uses <see cref="JsonDocument"/> and <see cref="Utf8JsonWriter"/> only, so it is trim- and AOT-safe.
/// </summary>
public static class CrossVitConfigJson
{
    /// <summary>Parses either schema; errors are <see cref="ArgumentException"/>s naming the field.</summary>
    public static CrossVitConfig Parse(string json)
    {
        JsonDocument doc;
        try
        {
            doc = JsonDocument.Parse(json);
        }
        catch (JsonException e)
        {
            throw new ArgumentException($"Invalid CrossViT config: not valid JSON ({e.Message}).", nameof(json), e);
        }
        using (doc)
        {
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
                throw new ArgumentException($"Invalid CrossViT config: expected a JSON object, found {root.ValueKind}.", nameof(json));
            return (root.TryGetProperty("architecture", out _) ? ParseHuggingFace(root) : Apply(Empty, root, strict: true)).Validate();
        }
    }

    /// <summary>Largest config file <see cref="Load"/> reads; real ones are a few kilobytes.</summary>
    public const int MaxFileBytes = 1 << 20;

    /// <summary>Reads a config file (either schema), refusing one of more than <see cref="MaxFileBytes"/>.</summary>
    /// <remarks>Reading stops past the cap even where the size is unknown up front (a device or a pipe).</remarks>
    public static CrossVitConfig Load(string path)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1);
        var bytes = new byte[MaxFileBytes + 1];
        int length = stream.ReadAtLeast(bytes, bytes.Length, throwOnEndOfStream: false);
        if (length > MaxFileBytes)
            throw new ArgumentException($"Invalid CrossViT config: the file '{path}' has more than {MaxFileBytes} bytes; a config is a few kilobytes.", nameof(path));
        // As File.ReadAllText: a UTF-8 byte order mark is not part of the text.
        return Parse(Encoding.UTF8.GetString(bytes, 0, length).TrimStart('\uFEFF'));
    }

    private static readonly CrossVitConfig Empty = new()
    {
        ImgSize = [],
        PatchSize = [],
        EmbedDim = [],
        Depth = [],
        NumHeads = [],
        MlpRatio = [],
    };

    private static CrossVitConfig ParseHuggingFace(JsonElement root)
    {
        string name = String(root.GetProperty("architecture"), "architecture");
        var config = Presets.Get(name);
        if (root.TryGetProperty("model_args", out var args))
        {
            if (args.ValueKind != JsonValueKind.Object) throw Field("model_args", "expected an object");
            config = Apply(config, args, strict: true);
        }
        if (root.TryGetProperty("num_classes", out var classes)) config = config with { NumClasses = Int(classes, "num_classes") };
        if (root.TryGetProperty("global_pool", out var pool)) config = config with { GlobalPool = ParsePool(pool) };
        if (root.TryGetProperty("pretrained_cfg", out var cfg) && cfg.ValueKind == JsonValueKind.Object)
        {
            if (cfg.TryGetProperty("crop_pct", out var crop)) config = config with { CropPct = Number(crop, "pretrained_cfg.crop_pct") };
            if (cfg.TryGetProperty("mean", out var mean)) config = config with { Mean = NumberOrList(mean, "pretrained_cfg.mean") };
            if (cfg.TryGetProperty("std", out var std)) config = config with { Std = NumberOrList(std, "pretrained_cfg.std") };
        }

        return config;
    }

    /// <summary>Applies every field of <paramref name="obj"/> to <paramref name="config"/>; unknown fields are errors when strict.</summary>
    private static CrossVitConfig Apply(CrossVitConfig config, JsonElement obj, bool strict)
    {
        foreach (var p in obj.EnumerateObject())
        {
            var v = p.Value;
            config = p.Name switch
            {
                "img_size" => config with { ImgSize = IntOrList(v, p.Name) },
                "patch_size" => config with { PatchSize = IntOrList(v, p.Name) },
                "in_channels" or "in_chans" => config with { InChannels = Int(v, p.Name) },
                "num_classes" => config with { NumClasses = Int(v, p.Name) },
                "embed_dim" => config with { EmbedDim = IntOrList(v, p.Name) },
                "depth" => config with { Depth = Depths(v) },
                "num_heads" => config with { NumHeads = IntOrList(v, p.Name) },
                "mlp_ratio" => config with { MlpRatio = NumberOrList(v, p.Name) },
                "qkv_bias" => config with { QkvBias = Bool(v, p.Name) },
                "qk_scale" => config with { QkScale = v.ValueKind == JsonValueKind.Null ? null : Number(v, p.Name) },
                "drop_rate" => config with { DropRate = Number(v, p.Name) },
                "attn_drop_rate" => config with { AttnDropRate = Number(v, p.Name) },
                "drop_path_rate" => config with { DropPathRate = Number(v, p.Name) },
                "norm_eps" => config with { NormEps = Number(v, p.Name) },
                "multi_conv" => config with { MultiConv = Bool(v, p.Name) },
                "global_pool" => config with { GlobalPool = ParsePool(v) },
                "crop_scale" => config with { CropScale = Bool(v, p.Name) },
                "interpolation" => config with { Interpolation = ParseInterpolation(v) },
                "crop_pct" => config with { CropPct = Number(v, p.Name) },
                "mean" => config with { Mean = NumberOrList(v, p.Name) },
                "std" => config with { Std = NumberOrList(v, p.Name) },
                _ when strict => throw Field(p.Name, "is not a CrossViT config field"),
                _ => config,
            };
        }
        // A single img_size applies to every branch.
        if (config.ImgSize.Count == 1 && config.PatchSize.Count > 1)
            config = config with { ImgSize = Enumerable.Repeat(config.ImgSize[0], config.PatchSize.Count).ToArray() };
        if (config.MlpRatio.Count == 1 && config.PatchSize.Count > 1)
            config = config with { MlpRatio = Enumerable.Repeat(config.MlpRatio[0], config.PatchSize.Count).ToArray() };
        foreach (var (field, count) in new[] { ("img_size", config.ImgSize.Count), ("patch_size", config.PatchSize.Count), ("embed_dim", config.EmbedDim.Count), ("depth", config.Depth.Count), ("num_heads", config.NumHeads.Count), ("mlp_ratio", config.MlpRatio.Count) })
            if (count == 0) throw Field(field, "is missing");
        return config;
    }

    /// <summary>Writes the runtime's schema (the one <see cref="Parse"/> reads back to an equal config).</summary>
    public static string Write(CrossVitConfig c)
    {
        using var stream = new MemoryStream();
        using (var w = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true }))
        {
            w.WriteStartObject();
            WriteInts(w, "img_size", c.ImgSize);
            WriteInts(w, "patch_size", c.PatchSize);
            w.WriteNumber("in_channels", c.InChannels);
            w.WriteNumber("num_classes", c.NumClasses);
            WriteInts(w, "embed_dim", c.EmbedDim);
            w.WriteStartArray("depth");
            foreach (var stage in c.Depth) { w.WriteStartArray(); foreach (var d in stage) w.WriteNumberValue(d); w.WriteEndArray(); }
            w.WriteEndArray();
            WriteInts(w, "num_heads", c.NumHeads);
            w.WriteStartArray("mlp_ratio");
            foreach (var r in c.MlpRatio) w.WriteNumberValue(r);
            w.WriteEndArray();
            w.WriteBoolean("qkv_bias", c.QkvBias);
            if (c.QkScale is { } qk) w.WriteNumber("qk_scale", qk); else w.WriteNull("qk_scale");
            w.WriteNumber("drop_rate", c.DropRate);
            w.WriteNumber("attn_drop_rate", c.AttnDropRate);
            w.WriteNumber("drop_path_rate", c.DropPathRate);
            w.WriteBoolean("multi_conv", c.MultiConv);
            w.WriteNumber("norm_eps", c.NormEps);
            w.WriteString("global_pool", c.GlobalPool == GlobalPool.Avg ? "avg" : "token");
            w.WriteBoolean("crop_scale", c.CropScale);
            w.WriteString("interpolation", c.Interpolation == Interpolation.Bilinear ? "bilinear" : "bicubic");
            w.WriteNumber("crop_pct", c.CropPct);
            WriteNumbers(w, "mean", c.Mean);
            WriteNumbers(w, "std", c.Std);
            w.WriteEndObject();
        }
        return Encoding.UTF8.GetString(stream.ToArray());
    }

    private static void WriteInts(Utf8JsonWriter w, string name, IReadOnlyList<int> values)
    {
        w.WriteStartArray(name);
        foreach (var v in values) w.WriteNumberValue(v);
        w.WriteEndArray();
    }

    /// <summary>Writes a list of numbers, or nothing for null (the field's default).</summary>
    private static void WriteNumbers(Utf8JsonWriter w, string name, IReadOnlyList<double>? values)
    {
        if (values is null) return;
        w.WriteStartArray(name);
        foreach (var v in values) w.WriteNumberValue(v);
        w.WriteEndArray();
    }

    private static GlobalPool ParsePool(JsonElement v) => String(v, "global_pool") switch
    {
        "token" => GlobalPool.Token,
        "avg" => GlobalPool.Avg,
        var s => throw Field("global_pool", $"is \"{s}\"; expected \"token\" or \"avg\""),
    };

    private static Interpolation ParseInterpolation(JsonElement v) => String(v, "interpolation") switch
    {
        "bicubic" => Interpolation.Bicubic,
        "bilinear" => Interpolation.Bilinear,
        var s => throw Field("interpolation", $"is \"{s}\"; expected \"bicubic\" or \"bilinear\""),
    };

    private static int[][] Depths(JsonElement v)
    {
        if (v.ValueKind != JsonValueKind.Array) throw Field("depth", "expected a list of stages, each a list of integers");
        return v.EnumerateArray().Select(stage => IntList(stage, "depth")).ToArray();
    }

    private static int[] IntOrList(JsonElement v, string field) =>
        v.ValueKind == JsonValueKind.Array ? IntList(v, field) : [Int(v, field)];

    private static int[] IntList(JsonElement v, string field)
    {
        if (v.ValueKind != JsonValueKind.Array) throw Field(field, $"expected a list of integers, found {v.ValueKind}");
        return v.EnumerateArray().Select(e => Int(e, field)).ToArray();
    }

    private static double[] NumberOrList(JsonElement v, string field) =>
        v.ValueKind == JsonValueKind.Array ? v.EnumerateArray().Select(e => Number(e, field)).ToArray() : [Number(v, field)];

    private static int Int(JsonElement v, string field) =>
        v.ValueKind == JsonValueKind.Number && v.TryGetInt32(out int i) ? i
            : throw Field(field, $"expected an integer, found {Describe(v)}");

    private static double Number(JsonElement v, string field) =>
        v.ValueKind != JsonValueKind.Number ? throw Field(field, $"expected a number, found {Describe(v)}")
        : double.IsFinite(v.GetDouble()) ? v.GetDouble()
        : throw Field(field, $"is {v.GetRawText()}, which overflows a double; expected a finite number");

    private static bool Bool(JsonElement v, string field) => v.ValueKind switch
    {
        JsonValueKind.True => true,
        JsonValueKind.False => false,
        _ => throw Field(field, $"expected true or false, found {Describe(v)}"),
    };

    private static string String(JsonElement v, string field) =>
        v.ValueKind == JsonValueKind.String ? v.GetString()! : throw Field(field, $"expected a string, found {Describe(v)}");

    private static string Describe(JsonElement v) => v.ValueKind is JsonValueKind.Number or JsonValueKind.String
        ? v.GetRawText() : v.ValueKind.ToString().ToLower(CultureInfo.InvariantCulture);

    private static ArgumentException Field(string field, string problem) => new($"Invalid CrossViT config: {field} {problem}.", field);
}

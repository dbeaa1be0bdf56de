using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;
using CrossVit.Runtime.Classification;

namespace CrossVit.Server;

/// <summary><c>POST /v1/classify</c> with a raw image body.</summary>
internal sealed record ClassifyResponse(string Model, Prediction[] Top, double ElapsedMs);

/// <summary>One image of a multipart request, in the order of its parts.</summary>
internal sealed record ImageResult(string? File, Prediction[] Top);

/// <summary><c>POST /v1/classify</c> with a multipart body: one result per file part.</summary>
internal sealed record BatchClassifyResponse(string Model, ImageResult[] Results, double ElapsedMs);

/// <summary><c>GET /v1/model</c>.</summary>
internal sealed record ModelInfo(
    string Model, string Weights, JsonElement Config, long Parameters, string Isa, int Threads,
    int MaxConcurrency, int QueueLimit, int MaxBatch, long MaxBodyBytes, double RequestTimeoutSeconds);

/// <summary>Every error answer.</summary>
internal sealed record ErrorResponse(string Error, int Status);

/// <summary>Source-generated serializers: no reflection at run time, snake_case names.</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower)]
[JsonSerializable(typeof(ClassifyResponse))]
[JsonSerializable(typeof(BatchClassifyResponse))]
[JsonSerializable(typeof(ModelInfo))]
[JsonSerializable(typeof(ErrorResponse))]
internal sealed partial class ServerJson : JsonSerializerContext
{
    /// <summary>
    /// As <see cref="Default"/>, but leaving quotes and angle brackets of error messages unescaped: the answers are
    /// JSON documents of their own, never embedded in HTML, where that escaping would matter.
    /// </summary>
    public static ServerJson Api { get; } = new(new JsonSerializerOptions
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    });
}

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

/// <summary>One health check of <c>/readyz</c>: healthy, degraded or unhealthy, and why.</summary>
internal sealed record HealthEntry(string Status, string? Description);

/// <summary><c>GET /healthz</c> and <c>GET /readyz</c>: the overall status and each check's.</summary>
internal sealed record HealthResponse(string Status, Dictionary<string, HealthEntry> Checks);

/// <summary>Source-generated serializers: no reflection at run time, snake_case names.</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower)]
[JsonSerializable(typeof(ClassifyResponse))]
[JsonSerializable(typeof(BatchClassifyResponse))]
[JsonSerializable(typeof(ModelInfo))]
[JsonSerializable(typeof(ErrorResponse))]
[JsonSerializable(typeof(HealthResponse))]
internal sealed partial class ServerJson : JsonSerializerContext
{
    /// <summary>
    /// As <see cref="Default"/>, but leaving quotes and angle brackets of error messages unescaped: the answers are
    /// JSON documents of their own, never embedded in HTML, where that escaping would matter.
    /// </summary>
    public static ServerJson Api { get; } = new(Configure(new JsonSerializerOptions()));

    /// <summary>
    /// snake_case names and relaxed escaping; also applied to ASP.NET Core's JSON options, so that the schemas of
    /// <c>/openapi/v1.json</c> name the properties as the answers do.
    /// </summary>
    public static JsonSerializerOptions Configure(JsonSerializerOptions options)
    {
        options.PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower;
        options.Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping;
        // Numbers are numbers: ASP.NET Core's default also accepts them as strings, which the schemas would then allow.
        options.NumberHandling = JsonNumberHandling.Strict;
        return options;
    }
}

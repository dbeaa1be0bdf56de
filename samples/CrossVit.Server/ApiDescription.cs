using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace CrossVit.Server;

/// <summary>
/// What <c>/openapi/v1.json</c> cannot infer from the handlers: the title, the request bodies the classify handler
/// reads itself (raw image bytes or multipart files), and the Prometheus endpoint, which is not a route handler.
/// </summary>
internal sealed class ApiDescription : IOpenApiDocumentTransformer
{
    private static readonly string[] ImageTypes = ["image/png", "image/jpeg", "image/bmp", "image/x-portable-pixmap", "image/x-portable-graymap", "application/octet-stream"];

    public Task TransformAsync(OpenApiDocument document, OpenApiDocumentTransformerContext context, CancellationToken cancellationToken)
    {
        document.Info = new OpenApiInfo
        {
            Title = "CrossVit.Server",
            Version = "v1",
            Description = "CrossViT image classification. Errors are JSON {error, status}: 400 bad input, 413 body over the cap, 503 not ready or at capacity (with Retry-After), 504 inference past its timeout. The demo page is at /.",
        };
        var metrics = new OpenApiPathItem();
        metrics.AddOperation(HttpMethod.Get, new OpenApiOperation
        {
            Summary = "Prometheus scrape endpoint: the CrossVit meter and ASP.NET Core's own metrics.",
            Responses = new OpenApiResponses
            {
                ["200"] = new OpenApiResponse
                {
                    Description = "Metrics in the Prometheus text format.",
                    Content = new Dictionary<string, OpenApiMediaType> { ["text/plain"] = new() { Schema = new OpenApiSchema { Type = JsonSchemaType.String } } },
                },
            },
        });
        document.Paths.Add("/metrics", metrics);
        return Task.CompletedTask;
    }

    /// <summary>
    /// <c>POST /v1/classify</c>: its body (one raw image, or multipart file parts named freely), its <c>top</c>
    /// parameter, and its two answers, one for each kind of body.
    /// </summary>
    public static async Task Classify(OpenApiOperation operation, OpenApiOperationTransformerContext context, CancellationToken cancellationToken)
    {
        foreach (var parameter in operation.Parameters ?? [])
        {
            if (parameter is OpenApiParameter { Name: "top" } top)
                top.Description = "Classes per image, from 1 to the model's class count; 5 (or the class count, if fewer) when absent.";
        }

        if (operation.Responses?["200"].Content?["application/json"] is { Schema: { } single } ok)
            ok.Schema = new OpenApiSchema { OneOf = [single, await context.GetOrCreateSchemaAsync(typeof(BatchClassifyResponse), null, cancellationToken)] };

        var content = ImageTypes.ToDictionary(type => type, _ => new OpenApiMediaType { Schema = Binary() });
        content["multipart/form-data"] = new OpenApiMediaType
        {
            Schema = new OpenApiSchema
            {
                Type = JsonSchemaType.Object,
                Description = "One or more file parts, each an image; run as one batch, answered in order as {model, results: [{file, top}], elapsed_ms}.",
                Properties = new Dictionary<string, IOpenApiSchema> { ["image"] = new OpenApiSchema { Type = JsonSchemaType.Array, Items = Binary() } },
            },
        };
        operation.RequestBody = new OpenApiRequestBody { Required = true, Description = "Image bytes (PNG, JPEG, BMP, PPM/PGM) or a multipart/form-data body of images.", Content = content };
    }

    private static OpenApiSchema Binary() => new() { Type = JsonSchemaType.String, Format = "binary" };
}

using System.Diagnostics;
using System.Text.Json;
using CommunityToolkit.HighPerformance.Buffers;
using CrossVit.Hosting;
using CrossVit.Runtime.Config;
using CrossVit.Runtime.Model;
using CrossVit.Weights;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace CrossVit.Server;

/// <summary>The HTTP API. Handlers throw on bad input; <see cref="ErrorMapping"/> turns exceptions into status codes.</summary>
internal static class Endpoints
{
    /// <summary>The tag of the health checks <c>/readyz</c> runs.</summary>
    public const string ReadyTag = "ready";

    public static void MapCrossVitApi(this WebApplication app)
    {
        var health = app.MapGroup("").WithTags("Health");
        health.MapGet("/healthz", (HealthCheckService checks, CancellationToken cancel) => HealthAsync(checks, _ => false, cancel))
            .WithSummary("Liveness: the process answers.")
            .Produces<HealthResponse>();
        health.MapGet("/readyz", (HealthCheckService checks, CancellationToken cancel) => HealthAsync(checks, r => r.Tags.Contains(ReadyTag), cancel))
            .WithSummary("Readiness: the model is loaded; degraded (still 200) while the queue is nearly full.")
            .Produces<HealthResponse>()
            .Produces<HealthResponse>(StatusCodes.Status503ServiceUnavailable);

        var api = app.MapGroup("/v1").WithTags("Inference");
        api.MapGet("/model", Model)
            .WithSummary("The loaded model: config, parameter count, ISA, threads and limits.")
            .Produces<ModelInfo>()
            .ProducesError(StatusCodes.Status503ServiceUnavailable);
        api.MapPost("/classify", ClassifyAsync)
            .WithSummary("Top-K classes of an image (raw body: {model, top, elapsed_ms}) or of each file part of a multipart/form-data body, run as one batch ({model, results, elapsed_ms}).")
            .AddOpenApiOperationTransformer(ApiDescription.Classify)
            .Produces<ClassifyResponse>()
            .ProducesErrors();
        api.MapPost("/logits", LogitsAsync)
            .WithSummary("The model's output for a float32 .npy input of shape [N, C, H, W], as a float32 .npy of shape [N, output size].")
            .Accepts<byte[]>("application/octet-stream")
            .Produces<byte[]>(contentType: "application/octet-stream")
            .ProducesErrors();
    }

    private static RouteHandlerBuilder ProducesError(this RouteHandlerBuilder endpoint, int status) =>
        endpoint.Produces<ErrorResponse>(status, "application/json");

    private static RouteHandlerBuilder ProducesErrors(this RouteHandlerBuilder endpoint) => endpoint
        .ProducesError(StatusCodes.Status400BadRequest)
        .ProducesError(StatusCodes.Status413PayloadTooLarge)
        .ProducesError(StatusCodes.Status503ServiceUnavailable)
        .ProducesError(StatusCodes.Status504GatewayTimeout);

    private static async Task<IResult> HealthAsync(HealthCheckService checks, Func<HealthCheckRegistration, bool> predicate, CancellationToken cancel)
    {
        var report = await checks.CheckHealthAsync(predicate, cancel);
        var response = new HealthResponse(report.Status.ToString().ToLowerInvariant(),
            report.Entries.ToDictionary(e => e.Key, e => new HealthEntry(e.Value.Status.ToString().ToLowerInvariant(), e.Value.Description)));
        return Results.Json(response, ServerJson.Api.HealthResponse,
            statusCode: report.Status == HealthStatus.Unhealthy ? StatusCodes.Status503ServiceUnavailable : StatusCodes.Status200OK);
    }

    private static IResult Model(ImageClassifier classifier)
    {
        var (loaded, options) = (classifier.Model, classifier.Options);
        var config = loaded.Model.Config;
        using var json = JsonDocument.Parse(CrossVitConfigJson.Write(config));
        return Results.Json(new ModelInfo(loaded.Name, loaded.Weights, json.RootElement.Clone(), CheckpointLayout.ParameterCount(config),
            loaded.Model.Isa.ToString(), options.Threads, options.Concurrency, options.QueueLimit, options.MaxBatch, options.MaxBodyBytes,
            options.RequestTimeout.TotalSeconds), ServerJson.Api.ModelInfo);
    }

    /// <summary>
    /// A raw image body answers <c>{"model", "top", "elapsed_ms"}</c>; a multipart body (one or more file parts, run as
    /// one batch) answers <c>{"model", "results": [{"file", "top"}], "elapsed_ms"}</c>, one result per part in order.
    /// </summary>
    /// <param name="context">The request.</param>
    /// <param name="classifier">The classifier.</param>
    /// <param name="top">Classes per image, from 1 to the model's class count; 5 (or the class count, if fewer) when absent.</param>
    private static async Task<IResult> ClassifyAsync(HttpContext context, ImageClassifier classifier, int? top)
    {
        var clock = Stopwatch.StartNew();
        classifier.ThrowIfSaturated();
        var options = classifier.Options;
        int classes = classifier.Model.Model.Config.NumClasses;
        if (classes == 0)
            throw new ArgumentException("The model has no classifier head (num_classes is 0); POST the input tensor to /v1/logits for its features instead.");
        int k = top ?? Math.Min(ImageClassifier.DefaultTop, classes);
        if (k < 1 || k > classes) throw new ArgumentException($"Query parameter top={k} is invalid; expected an integer from 1 to {classes}.");
        var request = context.Request;
        bool multipart = RequestBody.IsMultipart(request);
        var images = multipart
            ? await RequestBody.ReadFilesAsync(request, options.MaxBatch, context.RequestAborted)
            : [ImageInput.FromEncoded(await RequestBody.ReadAsync(request, options.MaxBodyBytes, "image bytes (PNG, JPEG, BMP or PPM/PGM) or a multipart/form-data body of images", context.RequestAborted))];
        RequestLog.Images(context, images.Count);
        var result = await classifier.ClassifyAsync(images, k, context.RequestAborted);
        RequestLog.QueueWait(context, result.Timings.QueueWait);
        double elapsed = clock.Elapsed.TotalMilliseconds;
        return multipart
            ? Results.Json(new BatchClassifyResponse(result.Model, [.. images.Select((image, i) => new ImageResult(image.Name, result.Images[i]))], elapsed), ServerJson.Api.BatchClassifyResponse)
            : Results.Json(new ClassifyResponse(result.Model, result.Top, elapsed), ServerJson.Api.ClassifyResponse);
    }

    /// <summary>A float32 NCHW .npy in, the [N, output size] float32 .npy of the model's output out.</summary>
    private static async Task<IResult> LogitsAsync(HttpContext context, ImageClassifier classifier)
    {
        classifier.ThrowIfSaturated();
        var options = classifier.Options;
        var body = await RequestBody.ReadAsync(context.Request, options.MaxBodyBytes, "a float32 .npy array of shape [N, C, H, W]", context.RequestAborted);
        var array = Npy.Parse(body);
        var (n, h, w) = CheckInput(array, classifier.Model.Model.Config, options.MaxBatch);
        RequestLog.Images(context, n);
        var result = await classifier.RunAsync(model => Logits(model, array, n, h, w), context.RequestAborted);
        RequestLog.QueueWait(context, result.Timings.QueueWait);
        return Results.Bytes(result.Value, "application/octet-stream");
    }

    /// <summary>
    /// The model's output for a checked input array, as .npy bytes. Its tensors are pooled and live only inside this
    /// work, which may outlast a request that timed out.
    /// </summary>
    private static byte[] Logits(CrossVitModel model, NpyArray array, int n, int h, int w)
    {
        using var input = SpanOwner<float>.Allocate((int)array.ElementCount);
        array.CopyTo(input.Span);
        using var output = SpanOwner<float>.Allocate(n * model.Config.OutputSize);
        model.Run(input.Span, n, h, w, output.Span);
        using var npy = new MemoryStream();
        Npy.Write(npy, [n, model.Config.OutputSize], output.Span);
        return npy.ToArray();
    }

    private static (int Batch, int Height, int Width) CheckInput(NpyArray array, CrossVitConfig config, int maxBatch)
    {
        var s = array.Shape;
        if (array.DType != DType.F32)
            throw new ArgumentException($"The .npy array has dtype '{array.Descr}'; expected float32 ('<f4').");
        if (s.Count != 4 || s[1] != config.InChannels)
            throw new ArgumentException($"The .npy array has shape ({string.Join(", ", s)}); expected (N, {config.InChannels}, H, W).");
        if (s[0] < 1 || s[0] > maxBatch)
            throw new ArgumentException($"The .npy batch is {s[0]}; expected 1 to {maxBatch} images ({CrossVitOptions.Section}:MaxBatch).");
        if (s[2] < 1 || s[3] < 1)
            throw new ArgumentException($"The .npy image size is {s[2]}x{s[3]}; expected both positive.");
        return (s[0], s[2], s[3]);
    }
}

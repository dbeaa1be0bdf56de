using System.Diagnostics;
using System.Text.Json;
using CommunityToolkit.HighPerformance.Buffers;
using CrossVit.Imaging;
using CrossVit.Runtime.Config;
using CrossVit.Runtime.Model;
using CrossVit.Weights;

namespace CrossVit.Server;

/// <summary>The HTTP API. Handlers throw on bad input; <see cref="ErrorMapping"/> turns exceptions into status codes.</summary>
internal static class Endpoints
{
    private const int DefaultTop = 5;

    public static void MapCrossVit(this WebApplication app)
    {
        app.MapGet("/healthz", () => Results.Text("ok\n"));
        app.MapGet("/v1/model", Model);
        app.MapPost("/v1/classify", ClassifyAsync);
        app.MapPost("/v1/logits", LogitsAsync);
    }

    private static IResult Model(InferenceService service, ServerOptions options)
    {
        var config = service.Model.Config;
        using var json = JsonDocument.Parse(CrossVitConfigJson.Write(config));
        return Results.Json(new ModelInfo(service.Loaded.Name, service.Loaded.Weights, json.RootElement.Clone(),
            CheckpointLayout.ParameterCount(config), service.Model.Isa.ToString(), options.Threads, options.Concurrency,
            options.QueueLimit, options.MaxBatch, options.MaxBodyBytes, options.RequestTimeout.TotalSeconds), ServerJson.Api.ModelInfo);
    }

    /// <summary>
    /// A raw image body answers <c>{"model", "top", "elapsed_ms"}</c>; a multipart body (one or more file parts, run as
    /// one batch) answers <c>{"model", "results": [{"file", "top"}], "elapsed_ms"}</c>, one result per part in order.
    /// </summary>
    private static async Task<IResult> ClassifyAsync(HttpContext context, InferenceService service, ServerOptions options)
    {
        var clock = Stopwatch.StartNew();
        service.ThrowIfSaturated();
        var request = context.Request;
        int classes = service.Model.Config.NumClasses;
        if (classes == 0)
            throw new ArgumentException("The model has no classifier head (num_classes is 0); POST the input tensor to /v1/logits for its features instead.");
        int k = RequestBody.QueryInt(request, "top", Math.Min(DefaultTop, classes), 1, classes);
        bool multipart = RequestBody.IsMultipart(request);
        var uploads = multipart
            ? await RequestBody.ReadFilesAsync(request, options.MaxBatch, context.RequestAborted)
            : [new Upload(null, await RequestBody.ReadAsync(request, options.MaxBodyBytes, "image bytes (PNG, JPEG, BMP or PPM/PGM) or a multipart/form-data body of images", context.RequestAborted))];
        var limits = new DecodeLimits(MaxPixels: options.MaxImagePixels);
        var top = await service.RunAsync(model => Classifier.Classify(model, uploads, k, limits), context.RequestAborted);
        double elapsed = clock.Elapsed.TotalMilliseconds;
        return multipart
            ? Results.Json(new BatchClassifyResponse(service.Loaded.Name, [.. uploads.Select((u, i) => new ImageResult(u.FileName, top[i]))], elapsed), ServerJson.Api.BatchClassifyResponse)
            : Results.Json(new ClassifyResponse(service.Loaded.Name, top[0], elapsed), ServerJson.Api.ClassifyResponse);
    }

    /// <summary>A float32 NCHW .npy in, the [N, output size] float32 .npy of the model's output out.</summary>
    private static async Task<IResult> LogitsAsync(HttpContext context, InferenceService service, ServerOptions options)
    {
        service.ThrowIfSaturated();
        var body = await RequestBody.ReadAsync(context.Request, options.MaxBodyBytes, "a float32 .npy array of shape [N, C, H, W]", context.RequestAborted);
        var array = Npy.Parse(body);
        var (n, h, w) = CheckInput(array, service.Model.Config, options.MaxBatch);
        var npy = await service.RunAsync(model => Logits(model, array, n, h, w), context.RequestAborted);
        return Results.Bytes(npy, "application/octet-stream");
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
            throw new ArgumentException($"The .npy batch is {s[0]}; expected 1 to {maxBatch} images ({ServerOptions.Section}:MaxBatch).");
        if (s[2] < 1 || s[3] < 1)
            throw new ArgumentException($"The .npy image size is {s[2]}x{s[3]}; expected both positive.");
        return (s[0], s[2], s[3]);
    }
}

using CrossVit.Hosting;
using CrossVit.Imaging;
using CrossVit.Weights;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.Options;

namespace CrossVit.Server;

/// <summary>
/// Every error is a JSON <c>{"error", "status"}</c>. Bad input is 400 (413 for an oversized body), overload 503 with
/// <c>Retry-After</c>, an inference past its timeout 504; only a fault of the server itself is 500.
/// </summary>
internal static class ErrorMapping
{
    public static void UseJsonErrors(this WebApplication app)
    {
        // Answers that carry no body (unknown route 404, wrong method 405) get one too.
        app.UseStatusCodePages(context => WriteAsync(context.HttpContext, context.HttpContext.Response.StatusCode,
            $"{ReasonPhrases.GetReasonPhrase(context.HttpContext.Response.StatusCode)}: {context.HttpContext.Request.Method} {context.HttpContext.Request.Path}."));
        var logger = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(ErrorMapping).FullName!);
        var options = app.Services.GetRequiredService<IOptions<ServerOptions>>();
        app.Use(async (context, next) =>
        {
            try
            {
                await next(context);
            }
            catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
            {
                // The client went away; there is nobody to answer.
            }
            catch (Exception e) when (!context.Response.HasStarted)
            {
                int status = Status(e);
                if (status == StatusCodes.Status500InternalServerError)
                    logger.LogError(e, "Unexpected failure of {Method} {Path}.", context.Request.Method, context.Request.Path);
                if (status == StatusCodes.Status503ServiceUnavailable)
                    context.Response.Headers.RetryAfter = options.Value.RetryAfterSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
                await WriteAsync(context, status, status == StatusCodes.Status500InternalServerError
                    ? "Internal server error; the server log has the details." : OneLine(e.Message));
            }
        });
    }

    private static int Status(Exception e) => e switch
    {
        BadHttpRequestException bad => bad.StatusCode,   // 413 for an oversized body, 400 for malformed HTTP
        CrossVitUnavailableException => StatusCodes.Status503ServiceUnavailable,   // loading, queue full, queue wait over the timeout
        CrossVitTimeoutException => StatusCodes.Status504GatewayTimeout,
        // InvalidDataException: a malformed multipart body.
        ImageFormatException or TensorFormatException or ArgumentException or InvalidDataException => StatusCodes.Status400BadRequest,
        _ => StatusCodes.Status500InternalServerError,
    };

    // Multi-line messages (a checkpoint's list of mismatches) would be awkward in a one-line JSON string.
    private static string OneLine(string message) =>
        string.Join(' ', message.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));

    private static Task WriteAsync(HttpContext context, int status, string message)
    {
        context.Response.StatusCode = status;
        // An error may be answered before the body is read (over the cap, queue full, bad query); Kestrel then drops
        // the connection after answering. Saying so keeps the client from sending its next request down it.
        if (context.Features.Get<IHttpRequestBodyDetectionFeature>()?.CanHaveBody == true)
            context.Response.Headers.Connection = "close";
        return context.Response.WriteAsJsonAsync(new ErrorResponse(message, status), ServerJson.Api.ErrorResponse);
    }
}

using System.Diagnostics;

namespace CrossVit.Server;

/// <summary>
/// One structured line per request, written when its answer is final (after <see cref="ErrorMapping"/>): method, route,
/// status, images, milliseconds and queue wait. Never the body: no image data reaches the log.
/// </summary>
internal static partial class RequestLog
{
    /// <summary>What a handler learns about its request; 0 images and no queue wait for the others.</summary>
    private sealed class Details
    {
        public int Images { get; set; }

        public TimeSpan QueueWait { get; set; }
    }

    public static void UseRequestLog(this WebApplication app)
    {
        var logger = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(RequestLog).FullName!);
        app.Use(async (context, next) =>
        {
            long start = Stopwatch.GetTimestamp();
            var details = new Details();
            context.Features.Set(details);
            try
            {
                await next(context);
            }
            finally
            {
                // The route template, not the path: bounded cardinality, and no query string.
                string route = (context.GetEndpoint() as RouteEndpoint)?.RoutePattern.RawText ?? context.Request.Path.Value ?? "";
                Answered(logger, context.Request.Method, route, context.Response.StatusCode,
                    Stopwatch.GetElapsedTime(start).TotalMilliseconds, details.Images, details.QueueWait.TotalMilliseconds);
            }
        });
    }

    /// <summary>Records how many images the request carries.</summary>
    public static void Images(HttpContext context, int images)
    {
        if (context.Features.Get<Details>() is { } details) details.Images = images;
    }

    /// <summary>Records how long the request waited for an inference slot.</summary>
    public static void QueueWait(HttpContext context, TimeSpan wait)
    {
        if (context.Features.Get<Details>() is { } details) details.QueueWait = wait;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "{Method} {Route} answered {Status} in {ElapsedMs:0.0} ms: {Images} images, {QueueWaitMs:0.0} ms queued")]
    private static partial void Answered(ILogger logger, string method, string route, int status, double elapsedMs, int images, double queueWaitMs);
}

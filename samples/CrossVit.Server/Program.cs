using CrossVit.Hosting;
using CrossVit.Server;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Options;
using OpenTelemetry.Metrics;

// CrossViT inference over HTTP: the API (Endpoints), its error answers (ErrorMapping), a request log (RequestLog) and
// the demo page (wwwroot) over CrossVit.Hosting's classifier, health check and metrics.
// The content root is the build output, so that appsettings.json and wwwroot are found whatever the working directory.
var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args, ContentRootPath = AppContext.BaseDirectory });
var section = builder.Configuration.GetSection(CrossVitOptions.Section);
builder.Services.AddCrossVit(section);
builder.Services.AddOptions<ServerOptions>().Bind(section)
    .Validate(o => o.RetryAfterSeconds >= 0, $"Invalid setting {CrossVitOptions.Section}:RetryAfterSeconds; expected 0 or more.")
    .Validate(o => o.ShutdownTimeout >= TimeSpan.Zero, $"Invalid setting {CrossVitOptions.Section}:ShutdownTimeout; expected a time span of 0 or more.")
    .ValidateOnStart();
builder.Services.AddHealthChecks().AddCrossVit(tags: [Endpoints.ReadyTag]);
builder.Services.AddOpenTelemetry().WithMetrics(metrics => metrics
    .AddMeter(CrossVitMetrics.MeterName)
    .AddAspNetCoreInstrumentation()
    .AddPrometheusExporter());
builder.Services.AddOpenApi(openApi => openApi.AddDocumentTransformer<ApiDescription>());
builder.Services.ConfigureHttpJsonOptions(json => ServerJson.Configure(json.SerializerOptions));
// A query parameter that does not parse (top=abc) becomes an exception ErrorMapping answers 400 with its message.
builder.Services.Configure<RouteHandlerOptions>(routes => routes.ThrowOnBadRequest = true);
builder.Services.AddOptions<KestrelServerOptions>().Configure<IOptions<CrossVitOptions>>((kestrel, crossVit) => kestrel.Limits.MaxRequestBodySize = crossVit.Value.MaxBodyBytes);
builder.Services.AddOptions<FormOptions>().Configure<IOptions<CrossVitOptions>>((form, crossVit) => form.MultipartBodyLengthLimit = crossVit.Value.MaxBodyBytes);
// Shutdown stops accepting connections, then waits this long for requests in flight (queued ones included).
builder.Services.AddOptions<HostOptions>().Configure<IOptions<ServerOptions>>((host, server) => host.ShutdownTimeout = server.Value.ShutdownTimeout);

WebApplication app;
try
{
    // Build resolves the host's options, Start the others (ValidateOnStart): either reports a bad setting.
    app = builder.Build();
    app.UseRequestLog();
    app.UseJsonErrors();
    app.UseDefaultFiles();
    app.UseStaticFiles();
    app.MapOpenApi();
    app.MapPrometheusScrapingEndpoint();
    app.MapCrossVitApi();
    app.Lifetime.ApplicationStopping.Register(() => app.Logger.LogInformation(
        "Shutting down: no new connections; waiting up to {Timeout} for requests in flight.", app.Services.GetRequiredService<IOptions<HostOptions>>().Value.ShutdownTimeout));
    await app.StartAsync();
}
catch (Exception e) when (e is OptionsValidationException or InvalidOperationException)   // InvalidOperationException: a value that does not parse
{
    Console.Error.WriteLine($"crossvit-server: error: {e.Message}");
    return 1;
}

try
{
    // The server answers /healthz (and /readyz, unready) while the model loads; a model that cannot load ends it.
    await app.Services.GetRequiredService<ImageClassifier>().WaitForModelAsync(app.Lifetime.ApplicationStopping);
}
catch (Exception e) when (e is not OperationCanceledException)
{
    Console.Error.WriteLine($"crossvit-server: error: {e.Message.ReplaceLineEndings(" ")}");
    await app.StopAsync();
    return 1;
}
await app.WaitForShutdownAsync();
return 0;

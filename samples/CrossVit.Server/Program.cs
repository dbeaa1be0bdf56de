using CrossVit.Runtime.Model;
using CrossVit.Server;
using CrossVit.Weights;
using Microsoft.AspNetCore.Http.Features;

// CrossViT inference over HTTP; see Endpoints for the API and ServerOptions for the settings.
// The content root is the build output, so that appsettings.json is found whatever the working directory.
var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args, ContentRootPath = AppContext.BaseDirectory });
ServerOptions options;
try
{
    options = (builder.Configuration.GetSection(ServerOptions.Section).Get<ServerOptions>() ?? new ServerOptions()).Validate();
}
catch (Exception e) when (e is ArgumentException or InvalidOperationException)   // InvalidOperationException: a value that does not parse
{
    Console.Error.WriteLine($"crossvit-server: error: {e.Message}");
    return 1;
}

builder.Services.AddSingleton(options);
builder.Services.AddSingleton(services => new InferenceService(
    ModelLoader.Load(options, services.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(ModelLoader).FullName!)), options));
builder.WebHost.ConfigureKestrel(kestrel => kestrel.Limits.MaxRequestBodySize = options.MaxBodyBytes);
builder.Services.Configure<FormOptions>(form => form.MultipartBodyLengthLimit = options.MaxBodyBytes);
// Shutdown stops accepting connections, then waits this long for requests in flight (queued ones included).
builder.Services.Configure<HostOptions>(host => host.ShutdownTimeout = options.ShutdownTimeout);

var app = builder.Build();
try
{
    // Load before listening, so that /healthz answering means the model is ready.
    app.Services.GetRequiredService<InferenceService>();
}
catch (Exception e) when (e is ArgumentException or IOException or UnauthorizedAccessException or TensorFormatException
    or CheckpointMismatchException)
{
    Console.Error.WriteLine($"crossvit-server: error: {e.Message.ReplaceLineEndings(" ")}");
    return 1;
}

app.UseJsonErrors(options);
app.MapCrossVit();
app.Lifetime.ApplicationStopping.Register(() => app.Logger.LogInformation(
    "Shutting down: no new connections; waiting up to {Timeout} for requests in flight.", options.ShutdownTimeout));
await app.RunAsync();
return 0;

using System.Collections.Concurrent;
using CrossVit.Hosting;
using CrossVit.Tests.Server;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace CrossVit.Tests.Hosting;

/// <summary>
/// The sample server in process (its Program.cs through <see cref="WebApplicationFactory{TEntryPoint}"/>), serving the
/// mini_linear golden model, with its log lines captured. Shared by the tests of a class.
/// </summary>
public sealed class SampleAppFactory : WebApplicationFactory<Program>
{
    /// <summary>Every log entry: category, level, the structured state and the formatted line.</summary>
    public ConcurrentQueue<(string Category, LogLevel Level, IReadOnlyList<KeyValuePair<string, object?>> State, string Message)> Logs { get; } = new();

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.ConfigureAppConfiguration(configuration => configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["CrossVit:Weights"] = TestData.Golden(ServerProcess.ModelName, "weights.safetensors"),
            ["CrossVit:Config"] = TestData.Golden(ServerProcess.ModelName, "config.json"),
        }));
        builder.ConfigureLogging(logging => logging.ClearProviders().AddProvider(new CapturingLoggerProvider(Logs)));
    }

    /// <summary>A client once the model has loaded.</summary>
    public async Task<HttpClient> ReadyClientAsync()
    {
        var client = CreateClient();
        await Services.GetRequiredService<ImageClassifier>().WaitForModelAsync();
        return client;
    }

    private sealed class CapturingLoggerProvider(ConcurrentQueue<(string, LogLevel, IReadOnlyList<KeyValuePair<string, object?>>, string)> logs) : ILoggerProvider
    {
        public ILogger CreateLogger(string categoryName) => new Logger(categoryName, logs);

        public void Dispose()
        {
        }

        private sealed class Logger(string category, ConcurrentQueue<(string, LogLevel, IReadOnlyList<KeyValuePair<string, object?>>, string)> logs) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

            public bool IsEnabled(LogLevel logLevel) => true;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
                logs.Enqueue((category, logLevel, state as IReadOnlyList<KeyValuePair<string, object?>> ?? [], formatter(state, exception)));
        }
    }
}

using System.Diagnostics.Metrics;
using System.Net;
using System.Text.Json;
using CrossVit.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Xunit;

namespace CrossVit.Tests.Hosting;

/// <summary>The sample through dependency injection in process: health, metrics, the API description and the request log.</summary>
public sealed class SampleAppTests(SampleAppFactory factory) : IClassFixture<SampleAppFactory>
{
    private static readonly byte[] Chelsea = File.ReadAllBytes(TestData.Golden("images", "chelsea.png"));

    private static Uri Url(string path) => new(path, UriKind.Relative);

    [Fact]
    public async Task HealthAndReadinessAnswerOnceTheModelIsLoaded()
    {
        using var client = await factory.ReadyClientAsync();
        using var live = JsonDocument.Parse(await client.GetStringAsync(Url("/healthz")));
        Assert.Equal("healthy", live.RootElement.GetProperty("status").GetString());
        using var ready = JsonDocument.Parse(await client.GetStringAsync(Url("/readyz")));
        Assert.Equal("healthy", ready.RootElement.GetProperty("checks").GetProperty("crossvit").GetProperty("status").GetString());
    }

    [Fact]
    public async Task TheApiDescriptionCoversEveryEndpointItsBodiesAndErrors()
    {
        using var client = await factory.ReadyClientAsync();
        using var json = JsonDocument.Parse(await client.GetStringAsync(Url("/openapi/v1.json")));
        var paths = json.RootElement.GetProperty("paths");
        Assert.Equal(["/healthz", "/metrics", "/readyz", "/v1/classify", "/v1/logits", "/v1/model"],
            paths.EnumerateObject().Select(p => p.Name).Order(StringComparer.Ordinal));

        var classify = paths.GetProperty("/v1/classify").GetProperty("post");
        Assert.Equal(["200", "400", "413", "503", "504"], classify.GetProperty("responses").EnumerateObject().Select(r => r.Name));
        var bodies = classify.GetProperty("requestBody").GetProperty("content").EnumerateObject().Select(c => c.Name).ToArray();
        Assert.Contains("image/png", bodies);
        Assert.Contains("image/jpeg", bodies);
        Assert.Contains("multipart/form-data", bodies);
        var top = Assert.Single(classify.GetProperty("parameters").EnumerateArray());
        Assert.Equal("top", top.GetProperty("name").GetString());
        Assert.Equal("query", top.GetProperty("in").GetString());
        Assert.Equal("#/components/schemas/ErrorResponse",
            classify.GetProperty("responses").GetProperty("503").GetProperty("content").GetProperty("application/json").GetProperty("schema").GetProperty("$ref").GetString());

        var logits = paths.GetProperty("/v1/logits").GetProperty("post");
        Assert.True(logits.GetProperty("requestBody").GetProperty("content").TryGetProperty("application/octet-stream", out _));
        Assert.Equal(["200", "400", "413", "503", "504"], logits.GetProperty("responses").EnumerateObject().Select(r => r.Name));
        var schemas = json.RootElement.GetProperty("components").GetProperty("schemas");
        Assert.Equal(["model", "top", "elapsed_ms"], schemas.GetProperty("ClassifyResponse").GetProperty("properties").EnumerateObject().Select(p => p.Name));
    }

    [Fact]
    public async Task MetricsCountKnownRequests()
    {
        using var client = await factory.ReadyClientAsync();
        using var metrics = new MeterRecorder(factory.Services.GetRequiredService<IMeterFactory>());

        using (var response = await client.PostAsync(Url("/v1/classify"), new ByteArrayContent(Chelsea))) response.EnsureSuccessStatusCode();
        using var form = new MultipartFormDataContent
        {
            { new ByteArrayContent(Chelsea), "image", "a.png" },
            { new ByteArrayContent(Chelsea), "image", "b.png" },
        };
        using (var response = await client.PostAsync(Url("/v1/classify"), form)) response.EnsureSuccessStatusCode();
        using (var response = await client.PostAsync(Url("/v1/classify"), new ByteArrayContent("not an image"u8.ToArray())))
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);

        Assert.Equal(3, metrics.Values(CrossVitMetrics.ImagesClassified).Sum());
        Assert.Equal(2, metrics.Values(CrossVitMetrics.InferenceDuration).Length);   // the undecodable image never reached the model
        var requests = metrics.Values(CrossVitMetrics.RequestDuration);
        Assert.Equal(3, requests.Length);
        Assert.All(requests, seconds => Assert.InRange(seconds, 1e-6, 60));
        Assert.Single(metrics.Values(CrossVitMetrics.RequestDuration, "error.type", RejectionReasons.InvalidImage));
        Assert.Equal([1.0], metrics.Values(CrossVitMetrics.RequestsRejected, "reason", RejectionReasons.InvalidImage));
        Assert.Equal(0, metrics.Observe(CrossVitMetrics.QueueLength));
        Assert.Equal(0, metrics.Observe(CrossVitMetrics.SessionsBusy));
    }

    [Fact]
    public async Task EachRequestIsLoggedOnceWithoutItsBody()
    {
        using var client = await factory.ReadyClientAsync();
        int before = factory.Logs.Count(IsClassifyLine);
        using (var response = await client.PostAsync(Url("/v1/classify?top=2"), new ByteArrayContent(Chelsea))) response.EnsureSuccessStatusCode();
        // The answer may reach the client before the line is written: wait for it (up to 10 s on a busy machine).
        for (int i = 0; i < 500 && factory.Logs.Count(IsClassifyLine) == before; i++) await Task.Delay(20);

        var lines = factory.Logs.Where(IsClassifyLine).ToArray();
        Assert.Equal(before + 1, lines.Length);
        var line = lines[^1];
        var state = line.State.ToDictionary(kv => kv.Key, kv => kv.Value);
        Assert.Equal(LogLevel.Information, line.Level);
        Assert.Equal("/v1/classify", state["Route"]);
        Assert.Equal(200, state["Status"]);
        Assert.Equal(1, state["Images"]);
        Assert.True((double)state["ElapsedMs"]! >= (double)state["QueueWaitMs"]!);
        Assert.DoesNotContain(factory.Logs, entry => entry.Message.Contains("PNG", StringComparison.Ordinal));

        static bool IsClassifyLine((string Category, LogLevel, IReadOnlyList<KeyValuePair<string, object?>> State, string) entry) =>
            entry.Category == "CrossVit.Server.RequestLog" && entry.State.Any(kv => kv.Key == "Route" && Equals(kv.Value, "/v1/classify"))
            && entry.State.Any(kv => kv.Key == "Images" && Equals(kv.Value, 1));
    }
}

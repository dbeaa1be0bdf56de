using System.Net.Http.Json;
using System.Text.Json;
using CrossVit.Hosting;
using CrossVit.Runtime.Classification;
using CrossVit.Tests.Server;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Xunit;

namespace CrossVit.Tests.Hosting;

/// <summary>The Program.cs of README-hosting.md, in a new app of its own: classification and readiness from a few lines.</summary>
public sealed class NewAppTests
{
    [Fact]
    public async Task TheReadmeProgramClassifiesAndReportsReadiness()
    {
        var builder = WebApplication.CreateBuilder();
        builder.WebHost.UseTestServer();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["CrossVit:Weights"] = TestData.Golden(ServerProcess.ModelName, "weights.safetensors"),
            ["CrossVit:Config"] = TestData.Golden(ServerProcess.ModelName, "config.json"),
        });
        // From here to app.Run(), as in README-hosting.md.
        builder.Services.AddCrossVit(builder.Configuration.GetSection("CrossVit"));
        builder.Services.AddHealthChecks().AddCrossVit(tags: ["ready"]);
        builder.Services.AddOpenTelemetry().WithMetrics(m => m.AddMeter(CrossVitMetrics.MeterName));
        await using var app = builder.Build();
        app.MapHealthChecks("/readyz", new() { Predicate = check => check.Tags.Contains("ready") });
        app.MapPost("/classify", async (HttpRequest request, ImageClassifier classifier, CancellationToken cancel) =>
            (await classifier.ClassifyAsync(request.Body, top: 5, cancel)).Top);
        await app.StartAsync();

        using var client = app.GetTestClient();
        await app.Services.GetRequiredService<ImageClassifier>().WaitForModelAsync();
        Assert.Equal("Healthy", await client.GetStringAsync(new Uri("/readyz", UriKind.Relative)));
        using var response = await client.PostAsync(new Uri("/classify", UriKind.Relative),
            new ByteArrayContent(File.ReadAllBytes(TestData.Golden("images", "chelsea.png"))));
        response.EnsureSuccessStatusCode();
        var top = await response.Content.ReadFromJsonAsync<Prediction[]>(JsonSerializerOptions.Web);
        Assert.Equal(5, top!.Length);
        Assert.StartsWith("class ", top[0].Label, StringComparison.Ordinal);
        await app.StopAsync();
    }
}

using System.Diagnostics.Metrics;
using CrossVit.Hosting;
using CrossVit.Imaging;
using CrossVit.Tests.Server;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Xunit;

namespace CrossVit.Tests.Hosting;

/// <summary>The package in a plain generic host, as a background worker would use it: options, loading, calls, health, metrics.</summary>
public sealed class AddCrossVitTests
{
    private static readonly byte[] Chelsea = File.ReadAllBytes(TestData.Golden("images", "chelsea.png"));

    private static IHost Build(Dictionary<string, string?> settings)
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Logging.ClearProviders();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["CrossVit:Weights"] = TestData.Golden(ServerProcess.ModelName, "weights.safetensors"),
            ["CrossVit:Config"] = TestData.Golden(ServerProcess.ModelName, "config.json"),
        });
        builder.Configuration.AddInMemoryCollection(settings);
        builder.Services.AddCrossVit(builder.Configuration.GetSection(CrossVitOptions.Section));
        builder.Services.AddHealthChecks().AddCrossVit();
        return builder.Build();
    }

    private static async Task<HealthReport> Health(IHost host) =>
        await host.Services.GetRequiredService<HealthCheckService>().CheckHealthAsync();

    [Fact]
    public async Task BytesStreamsPixelsAndBatchesGiveTheSameAnswer()
    {
        using var host = Build([]);
        await host.StartAsync();
        var classifier = host.Services.GetRequiredService<ImageClassifier>();
        await classifier.WaitForModelAsync();

        var bytes = await classifier.ClassifyAsync(Chelsea, top: 3);
        using var stream = new MemoryStream(Chelsea);
        var streamed = await classifier.ClassifyAsync(stream, top: 3);
        var pixels = await classifier.ClassifyAsync(ImageDecoder.Decode(Chelsea), top: 3);
        var batch = await classifier.ClassifyAsync(
            [ImageInput.FromEncoded(Chelsea, "a"), ImageInput.FromEncoded(File.ReadAllBytes(TestData.Golden("images", "astronaut_progressive.jpg")), "b")], top: 3);

        Assert.Equal(3, bytes.Top.Length);
        Assert.Equal(bytes.Top, streamed.Top);
        Assert.Equal(bytes.Top, pixels.Top);
        Assert.Equal(bytes.Top.Select(p => p.Index), batch.Images[0].Select(p => p.Index));
        Assert.Equal(2, batch.Images.Count);
        Assert.Equal("weights", bytes.Model);
        await host.StopAsync();
    }

    [Theory]
    [InlineData("CrossVit:Threads", "0", "CrossVit:Threads = 0")]
    [InlineData("CrossVit:QueueLimit", "-1", "CrossVit:QueueLimit = -1")]
    [InlineData("CrossVit:RequestTimeout", "00:00:00", "CrossVit:RequestTimeout")]
    [InlineData("CrossVit:Weights", "/nonexistent/model.safetensors", "CrossVit:Weights")]
    [InlineData("CrossVit:Model", "crossvit_42", "CrossVit:Model")]
    public async Task ABadSettingStopsTheHostWithOneMessageNamingIt(string key, string value, string named)
    {
        using var host = Build(new() { [key] = value });
        var e = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());
        Assert.Single(e.Failures);
        Assert.Contains(named, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AModelThatFailsToLoadIsUnhealthyAndRefusesCalls()
    {
        string broken = Path.GetTempFileName();
        try
        {
            File.WriteAllBytes(broken, "not a safetensors file"u8.ToArray());
            using var host = Build(new() { ["CrossVit:Weights"] = broken });
            await host.StartAsync();
            var classifier = host.Services.GetRequiredService<ImageClassifier>();
            await Assert.ThrowsAnyAsync<Exception>(() => classifier.WaitForModelAsync());

            var report = await Health(host);
            Assert.Equal(HealthStatus.Unhealthy, report.Status);
            Assert.StartsWith("The model failed to load", report.Entries["crossvit"].Description, StringComparison.Ordinal);
            var refused = await Assert.ThrowsAsync<CrossVitUnavailableException>(() => classifier.ClassifyAsync(Chelsea));
            Assert.Equal(RejectionReasons.ModelNotReady, refused.Reason);
            await host.StopAsync();
        }
        finally
        {
            File.Delete(broken);
        }
    }

    /// <summary>One slot, a queue of one: a call held in the slot and one queued make the queue full, then drain.</summary>
    [Fact]
    public async Task AFullQueueIsDegradedRefusesTheNextCallAndIsMeasured()
    {
        using var host = Build(new() { ["CrossVit:MaxConcurrency"] = "1", ["CrossVit:QueueLimit"] = "1" });
        using var metrics = new MeterRecorder(host.Services.GetRequiredService<IMeterFactory>());
        await host.StartAsync();
        var classifier = host.Services.GetRequiredService<ImageClassifier>();
        await classifier.WaitForModelAsync();
        Assert.Equal(HealthStatus.Healthy, (await Health(host)).Status);

        using var gate = new ManualResetEventSlim();
        var running = classifier.RunAsync(_ => gate.Wait(TimeSpan.FromMinutes(1)));
        var queued = classifier.ClassifyAsync(Chelsea);
        for (int i = 0; i < 1000 && classifier.QueueLength == 0; i++) await Task.Delay(10);
        Assert.Equal(1, classifier.QueueLength);

        Assert.Equal(HealthStatus.Degraded, (await Health(host)).Status);
        Assert.Equal(1, metrics.Observe(CrossVitMetrics.QueueLength));
        Assert.Equal(1, metrics.Observe(CrossVitMetrics.SessionsBusy));
        var refused = await Assert.ThrowsAsync<CrossVitUnavailableException>(() => classifier.ClassifyAsync(Chelsea));
        Assert.Equal(RejectionReasons.QueueFull, refused.Reason);

        gate.Set();
        Assert.True((await running).Value);
        Assert.Equal(5, (await queued).Top.Length);
        Assert.Equal(HealthStatus.Healthy, (await Health(host)).Status);
        Assert.Equal(0, metrics.Observe(CrossVitMetrics.QueueLength));
        Assert.Equal([1.0], metrics.Values(CrossVitMetrics.RequestsRejected, "reason", RejectionReasons.QueueFull));
        Assert.Equal([1.0], metrics.Values(CrossVitMetrics.ImagesClassified));
        Assert.Equal(2, metrics.Values(CrossVitMetrics.InferenceDuration).Length);
        Assert.True(metrics.Values(CrossVitMetrics.QueueDuration).Max() > 0, "the queued call waited for the slot");
        await host.StopAsync();
    }
}

using System.Net;
using Xunit;

namespace CrossVit.Tests.Server;

/// <summary>Overload and shutdown, each against a server of its own with one inference slot.</summary>
public class ServerLifecycleTests
{
    private static readonly byte[] Image = File.ReadAllBytes(TestData.Golden("images", "astronaut_progressive.jpg"));

    /// <summary>A multipart batch of several images keeps the single slot busy long enough for the others to queue.</summary>
    private static Task<HttpResponseMessage> PostBatch(HttpClient client)
    {
        var form = new MultipartFormDataContent();
        for (int i = 0; i < 8; i++) form.Add(new ByteArrayContent(Image), "image", $"{i}.jpg");
        return client.PostAsync(new Uri("/v1/classify", UriKind.Relative), form);
    }

    [Fact]
    public async Task AFullQueueAnswers503WithRetryAfter()
    {
        using var server = new ServerProcess(new Dictionary<string, string> { ["CROSSVIT__MAXCONCURRENCY"] = "1", ["CROSSVIT__QUEUELIMIT"] = "1" });
        var responses = await Task.WhenAll(Enumerable.Range(0, 6).Select(_ => PostBatch(server.Client)));
        Assert.Contains(responses, r => r.StatusCode == HttpStatusCode.OK);
        Assert.Contains(responses, r => r.StatusCode == HttpStatusCode.ServiceUnavailable);
        var busy = responses.First(r => r.StatusCode == HttpStatusCode.ServiceUnavailable);
        Assert.Equal("1", busy.Headers.RetryAfter?.Delta?.TotalSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Assert.All(responses, r => Assert.True(r.StatusCode is HttpStatusCode.OK or HttpStatusCode.ServiceUnavailable, $"unexpected {r.StatusCode}"));
    }

    [Fact]
    public async Task ShutdownFinishesTheRequestsInFlight()
    {
        using var server = new ServerProcess(new Dictionary<string, string> { ["CROSSVIT__MAXCONCURRENCY"] = "1" });
        var requests = Enumerable.Range(0, 3).Select(_ => PostBatch(server.Client)).ToArray();
        // Let them arrive: one runs, two queue. A batch of eight takes seconds, so none has finished yet.
        await Task.Delay(TimeSpan.FromSeconds(2));
        int exitCode = await server.TerminateAsync(TimeSpan.FromMinutes(2));
        Assert.All(await Task.WhenAll(requests), r => Assert.Equal(HttpStatusCode.OK, r.StatusCode));
        Assert.Equal(0, exitCode);
    }
}

using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using CrossVit.Runtime.Model;
using CrossVit.Tests.Fuzzing;
using CrossVit.Weights;
using FsCheck.Fluent;
using Xunit;

namespace CrossVit.Tests.Server;

/// <summary>The HTTP API end to end, against a server process serving the mini_linear golden model.</summary>
public sealed class ServerTests(ServerProcess server) : IClassFixture<ServerProcess>
{
    private readonly HttpClient _client = server.Client;

    private static Uri Url(string path) => new(path, UriKind.Relative);

    private static ByteArrayContent Bytes(byte[] body) => new(body);

    [Fact]
    public async Task ModelDescribesTheLoadedCheckpoint()
    {
        using var json = JsonDocument.Parse(await _client.GetStringAsync(Url("/v1/model")));
        var root = json.RootElement;
        Assert.Equal(CheckpointLayout.ParameterCount(TestData.Config(ServerProcess.ModelName)), root.GetProperty("parameters").GetInt64());
        Assert.Equal(10, root.GetProperty("config").GetProperty("num_classes").GetInt32());
        Assert.False(string.IsNullOrEmpty(root.GetProperty("isa").GetString()));
    }

    [Fact]
    public async Task LogitsAreBitIdenticalToTheModelInProcess()
    {
        string input = TestData.Golden(ServerProcess.ModelName, "input.npy");
        using var response = await _client.PostAsync(Url("/v1/logits"), Bytes(File.ReadAllBytes(input)));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var logits = Npy.Parse(await response.Content.ReadAsByteArrayAsync());

        using var model = CrossVitModel.Load(TestData.Config(ServerProcess.ModelName), TestData.Golden(ServerProcess.ModelName, "weights.safetensors"));
        var array = Npy.Read(input);
        Assert.Equal([array.Shape[0], 10], logits.Shape);
        Assert.Equal(model.Run(array.ToFloat32(), array.Shape[0], array.Shape[2], array.Shape[3]), logits.ToFloat32());
    }

    [Fact]
    public async Task ClassifyAnswersTheTopClassesOfARawImage()
    {
        using var response = await _client.PostAsync(Url("/v1/classify?top=3"), Bytes(File.ReadAllBytes(TestData.Golden("images", "chelsea.png"))));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var top = json.RootElement.GetProperty("top").EnumerateArray().ToArray();
        Assert.Equal(3, top.Length);
        Assert.StartsWith("class ", top[0].GetProperty("label").GetString(), StringComparison.Ordinal);
        var p = top.Select(t => t.GetProperty("probability").GetDouble()).ToArray();
        Assert.Equal(p.OrderDescending(), p);
        Assert.True(json.RootElement.GetProperty("elapsed_ms").GetDouble() > 0);
    }

    [Fact]
    public async Task MultipartAnswersOneResultPerFileInOrder()
    {
        using var form = new MultipartFormDataContent();
        foreach (var name in new[] { "chelsea.png", "astronaut_progressive.jpg" })
            form.Add(Bytes(File.ReadAllBytes(TestData.Golden("images", name))), "image", name);
        using var response = await PostExpectingContinue(form);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal(["chelsea.png", "astronaut_progressive.jpg"],
            json.RootElement.GetProperty("results").EnumerateArray().Select(r => r.GetProperty("file").GetString()));
    }

    [Fact]
    public async Task EachImageOfABatchIsClassifiedAsItIsAlone()
    {
        // Batches reuse pooled tensors; nothing of one request may reach another's answer.
        string[] names = ["astronaut_progressive.jpg", "chelsea.png"];
        async Task<JsonElement[]> Top(params string[] files)
        {
            using var form = new MultipartFormDataContent();
            foreach (var name in files) form.Add(Bytes(File.ReadAllBytes(TestData.Golden("images", name))), "image", name);
            using var response = await _client.PostAsync(Url("/v1/classify?top=10"), form);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
            return [.. json.RootElement.GetProperty("results").EnumerateArray().Select(r => r.GetProperty("top").Clone())];
        }
        var together = await Top(names);
        for (int i = 0; i < names.Length; i++)
        {
            var alone = (await Top(names[i]))[0];
            var (a, b) = (alone.EnumerateArray().ToArray(), together[i].EnumerateArray().ToArray());
            Assert.Equal(a.Select(t => t.GetProperty("index").GetInt32()), b.Select(t => t.GetProperty("index").GetInt32()));
            for (int j = 0; j < a.Length; j++)
                Assert.Equal(a[j].GetProperty("probability").GetDouble(), b[j].GetProperty("probability").GetDouble(), 1e-6);
        }
    }

    /// <summary>Fuzzed images and tensors: every answer is 200 or a 400 with a JSON message, never a server error.</summary>
    [Fact]
    public async Task HostileBodiesAreAnswered400WithAMessage()
    {
        var cases = new[] { FuzzTargets.Png, FuzzTargets.Jpeg, FuzzTargets.Bmp, FuzzTargets.Pnm }
            .SelectMany(t => t.Inputs.Sample(25).Select(body => ("/v1/classify", body)))
            .Concat(FuzzTargets.Npy.Inputs.Sample(25).Select(body => ("/v1/logits", body)))
            .Append(("/v1/classify", [])).Append(("/v1/logits", "not a tensor"u8.ToArray()));
        foreach (var (path, body) in cases)
        {
            using var response = await _client.PostAsync(Url(path), Bytes(body));
            if (response.StatusCode == HttpStatusCode.OK) continue;
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            await AssertJsonError(response, 400);
        }
    }

    /// <summary>
    /// Posts with <c>Expect: 100-continue</c>, as a client sending a large body should: the server refuses from the
    /// declared length alone, so the body is never sent. Sent eagerly instead, it races the server closing the
    /// connection after its 413, and the client may see a broken pipe rather than the answer.
    /// </summary>
    private async Task<HttpResponseMessage> PostExpectingContinue(HttpContent content)
    {
        using var client = new HttpClient(new SocketsHttpHandler { Expect100ContinueTimeout = TimeSpan.FromMinutes(1) })
        {
            BaseAddress = _client.BaseAddress,
        };
        using var request = new HttpRequestMessage(HttpMethod.Post, Url("/v1/classify")) { Content = content };
        request.Headers.ExpectContinue = true;
        return await client.SendAsync(request);
    }

    [Fact]
    public async Task OversizedBodiesAre413()
    {
        using var response = await PostExpectingContinue(Bytes(new byte[ServerProcess.MaxBodyBytes + 1]));
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.True(response.Headers.ConnectionClose, "a 413 must close the connection: the client would otherwise reuse it while the server drops it");
        await AssertJsonError(response, 413);
    }

    [Fact]
    public async Task OversizedMultipartBodiesAre413()
    {
        // Kestrel's cap fires inside the form reader, which must not pass it off as a malformed body (400).
        using var form = new MultipartFormDataContent { { Bytes(new byte[ServerProcess.MaxBodyBytes + 1]), "image", "big.png" } };
        using var response = await PostExpectingContinue(form);
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.True(response.Headers.ConnectionClose, "a 413 must close the connection");
        await AssertJsonError(response, 413);
    }

    [Fact]
    public async Task UnknownRoutesAndBadQueriesAnswerJson()
    {
        using (var response = await _client.GetAsync(Url("/v2/nothing"))) await AssertJsonError(response, 404);
        var image = File.ReadAllBytes(TestData.Golden("images", "chelsea.png"));
        using (var response = await _client.PostAsync(Url("/v1/classify?top=0"), Bytes(image))) await AssertJsonError(response, 400);
        using (var response = await _client.PostAsync(Url("/v1/classify?top=abc"), Bytes(image))) await AssertJsonError(response, 400);
        using var multipart = new MultipartFormDataContent { { new StringContent("x"), "field" } };
        using (var response = await _client.PostAsync(Url("/v1/classify"), multipart)) await AssertJsonError(response, 400);
        using var broken = new ByteArrayContent("--b\r\nContent-Disposition: form-data"u8.ToArray());
        broken.Headers.ContentType = MediaTypeHeaderValue.Parse("multipart/form-data; boundary=b");
        using (var response = await _client.PostAsync(Url("/v1/classify"), broken)) await AssertJsonError(response, 400);
    }

    private static async Task AssertJsonError(HttpResponseMessage response, int status)
    {
        Assert.Equal(status, (int)response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal(status, json.RootElement.GetProperty("status").GetInt32());
        Assert.False(string.IsNullOrWhiteSpace(json.RootElement.GetProperty("error").GetString()));
    }
}

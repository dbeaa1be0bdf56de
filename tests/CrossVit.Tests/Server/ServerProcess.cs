using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace CrossVit.Tests.Server;

/// <summary>
/// The built CrossVit.Server (copied beside the tests by the project reference) running as a separate process on a
/// free loopback port, serving the mini_linear golden model. Shared by the tests of a class, stopped on dispose.
/// </summary>
public sealed class ServerProcess : IDisposable
{
    public const string ModelName = "mini_linear";
    public const long MaxBodyBytes = 1_000_000;

    private readonly Process _process;

    public ServerProcess()
        : this(new Dictionary<string, string>())
    {
    }

    /// <summary>A server with extra settings, e.g. <c>CROSSVIT__QUEUELIMIT</c> (internal: a class fixture may have one public constructor).</summary>
    internal ServerProcess(IReadOnlyDictionary<string, string> settings)
    {
        int port = FreePort();
        Client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromMinutes(2) };
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "CrossVit.Server.dll"));
        start.ArgumentList.Add("--urls");
        start.ArgumentList.Add(Client.BaseAddress.ToString());
        start.Environment["CROSSVIT__WEIGHTS"] = TestData.Golden(ModelName, "weights.safetensors");
        start.Environment["CROSSVIT__CONFIG"] = TestData.Golden(ModelName, "config.json");
        start.Environment["CROSSVIT__MAXBODYBYTES"] = MaxBodyBytes.ToString(System.Globalization.CultureInfo.InvariantCulture);
        start.Environment["Logging__LogLevel__Default"] = "Warning";
        foreach (var (key, value) in settings) start.Environment[key] = value;
        _process = Process.Start(start)!;
        // Drained so that a chatty log cannot fill the pipe and block the server.
        _process.OutputDataReceived += (_, _) => { };
        _process.ErrorDataReceived += (_, _) => { };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
        WaitUntilHealthy();
    }

    public HttpClient Client { get; }

    private void WaitUntilHealthy()
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < TimeSpan.FromMinutes(1))
        {
            if (_process.HasExited) throw new InvalidOperationException($"CrossVit.Server exited during start-up with code {_process.ExitCode}.");
            try
            {
                if (Client.GetAsync(new Uri("/readyz", UriKind.Relative)).Result.IsSuccessStatusCode) return;
            }
            catch (AggregateException e) when (e.InnerException is HttpRequestException)
            {
                // Not listening yet.
            }
            Thread.Sleep(200);
        }
        throw new TimeoutException("CrossVit.Server was not ready (/readyz) within a minute.");
    }

    /// <summary>Asks the server to stop as a service manager would (SIGTERM) and waits for it to exit.</summary>
    public async Task<int> TerminateAsync(TimeSpan timeout)
    {
        using (var kill = Process.Start("kill", ["-TERM", _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)])) await kill.WaitForExitAsync();
        using var wait = new CancellationTokenSource(timeout);
        await _process.WaitForExitAsync(wait.Token);
        return _process.ExitCode;
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public void Dispose()
    {
        Client.Dispose();
        if (!_process.HasExited) _process.Kill(entireProcessTree: true);
        _process.Dispose();
    }
}

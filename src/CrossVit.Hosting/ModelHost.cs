using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace CrossVit.Hosting;

/// <summary>
/// Loads the model once, in the background, when the host starts: the host listens and answers health probes while a
/// large checkpoint loads. Owns the model and disposes it on shutdown, also when the load ends after that.
/// </summary>
internal sealed class ModelHost(IOptions<CrossVitOptions> options, ILoggerFactory loggers) : IHostedService, IDisposable
{
    private readonly TaskCompletionSource<LoadedCrossVitModel> _loaded = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Lock _lock = new();
    private bool _started, _disposed;

    /// <summary>Completes with the model once loaded, or with the exception that stopped it loading.</summary>
    public Task<LoadedCrossVitModel> Loaded => _loaded.Task;

    /// <summary>The model, or <c>null</c> while it loads or when it failed to.</summary>
    public LoadedCrossVitModel? Current => _loaded.Task.IsCompletedSuccessfully ? _loaded.Task.Result : null;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            if (_started) return Task.CompletedTask;
            _started = true;
        }
        var logger = loggers.CreateLogger(typeof(ModelLoader).FullName!);
        _ = Task.Run(() =>
        {
            LoadedCrossVitModel loaded;
            try
            {
                loaded = ModelLoader.Load(options.Value, logger);
            }
            catch (Exception e)
            {
                logger.LogError(e, "The CrossViT model failed to load: {Message}", e.Message);
                _loaded.SetException(e);
                return;
            }
            lock (_lock)
            {
                if (_disposed)
                {
                    loaded.Model.Dispose();
                    _loaded.SetCanceled();
                    return;
                }
                _loaded.SetResult(loaded);
            }
        }, CancellationToken.None);
        return Task.CompletedTask;
    }

    // Inference in flight finishes during the host's graceful shutdown; the model itself goes with the container.
    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public void Dispose()
    {
        lock (_lock)
        {
            if (_disposed) return;
            _disposed = true;
            Current?.Model.Dispose();
        }
    }
}

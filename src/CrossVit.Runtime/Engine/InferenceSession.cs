using System.Diagnostics;
using CrossVit.Runtime.Config;
using CrossVit.Runtime.Kernels;
using CrossVit.Runtime.Profiling;
using CrossVit.Runtime.Threading;

namespace CrossVit.Runtime.Engine;

/// <summary>
/// Runs a <see cref="Model.CrossVitModel"/> with working memory and worker threads of its own: arenas planned at creation
/// for the largest pass a batch of <see cref="SessionOptions.MaxBatch"/> makes (one the workers share, and one per
/// worker for the images it runs by itself, see <see cref="ImageScheduling"/>; a worker running images by itself, or a
/// one-thread session, takes at most four in a pass), and a fixed pool of workers. After the first call a run allocates
/// nothing.
/// Use one session per thread (a call from a second thread while one runs throws); results are bit-identical for every
/// thread count.
/// </summary>
public sealed class InferenceSession : IDisposable
{
    private readonly CrossVitConfig _config;
    private readonly IForwardPass _net;
    private readonly WorkerPool _pool;
    private readonly Workspace _workspace;
    private readonly ParallelKernels _kernels;
    private readonly BranchTeams? _teams;
    private readonly PerWorkerImages? _images;   // null when no batch runs images per worker
    private readonly int _largestShared;   // the most images of a pass on the shared arena
    private int _busy;
    private long _profiledPasses, _profiledImages, _profiledTicks;   // a profiled session's passes

    /// <summary>
    /// A session running <paramref name="net"/> (a network of <paramref name="config"/>) with <paramref name="options"/>,
    /// which the caller has checked (<see cref="SessionOptions.Validate"/>, the ISA, the memory the arena needs).
    /// </summary>
    internal InferenceSession(CrossVitConfig config, IForwardPass net, KernelSet kernels, SessionOptions options)
    {
        int branches = config.Branches;
        _config = config;
        _net = net;
        MaxBatch = options.MaxBatch;
        _workspace = new Workspace();
        _pool = new WorkerPool(options.Threads);
        if (options.Branches != BranchScheduling.Sequential && branches > 1 && options.Threads >= branches)
            _teams = new BranchTeams(kernels, _pool, branches, options.Branches, options.Profile);
        _kernels = new ParallelKernels(kernels, _pool, _workspace, _teams, options.Profile ? new OpRecorder(options.Threads) : null);
        if (PerWorkerImages.PerWorker(MaxBatch, options.Threads, options.Images) > 0)
            _images = new PerWorkerImages(kernels, net, _pool, config.InChannels, config.OutputSize, options.Profile);
        _largestShared = PerWorkerImages.LargestShared(MaxBatch, options.Threads, options.Images);
        PlanArena(_largestShared, PerWorkerImages.LargestAlone(MaxBatch, options.Threads, options.Images));
    }

    /// <summary>Largest batch a call may take.</summary>
    public int MaxBatch { get; }

    /// <summary>Worker threads, the calling thread included.</summary>
    public int Threads => _pool.Threads;

    /// <summary>Floats in the session's arenas: the shared one, its branch groups' (when branches may run concurrently) and its workers' own.</summary>
    public int ArenaSize => _workspace.Capacity + (_teams?.ArenaSize ?? 0) + (_images?.ArenaSize ?? 0);

    /// <summary>
    /// Images each worker runs by itself in a run of <paramref name="batch"/> images (see <see cref="SessionOptions.Images"/>):
    /// the first ImagesPerWorker · <see cref="Threads"/> of the batch; the rest run with every operation split across the workers.
    /// </summary>
    public int ImagesPerWorker(int batch)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(batch, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(batch, MaxBatch);
        return _images?.PerWorker(batch) ?? 0;
    }

    /// <summary>
    /// How the branches share the workers in a run of <paramref name="batch"/> images (see <see cref="SessionOptions.Branches"/>):
    /// for each part of the pass where they may run concurrently, in the order the pass reaches them (the patch
    /// embedding, then each stage's blocks and its fusion), the workers of each branch's group, or null where the
    /// branches run one after another on all the workers. Images that workers run by themselves
    /// (<see cref="ImagesPerWorker"/>) run their branches one after another; this is the schedule of the images left.
    /// </summary>
    public IReadOnlyList<IReadOnlyList<int>?> BranchSchedule(int batch)
    {
        int shared = batch - (ImagesPerWorker(batch) * Threads);
        return _teams is null || shared == 0
            ? new IReadOnlyList<int>?[1 + 2 * _config.Depth.Count]
            : [.. _teams.Partitions(shared).Select(p => p is null ? null : Array.AsReadOnly(p))];
    }

    /// <summary>Bytes allocated by the session's worker threads so far (the calling thread's are its own to measure).</summary>
    public long WorkerAllocatedBytes => _pool.WorkerAllocatedBytes;

    /// <summary>
    /// Bytes allocated so far by the calling thread and the session's worker threads: the difference between two reads
    /// on the thread that runs the session is what the runs between them allocated.
    /// </summary>
    /// <remarks>
    /// The workers' count is read first. A method's first call is JIT-compiled on the calling thread, and what the JIT
    /// allocates counts as that thread's; this way any first call made here comes before this thread's count is read.
    /// </remarks>
    public long AllocatedBytes => WorkerAllocatedBytes + GC.GetAllocatedBytesForCurrentThread();

    /// <summary>
    /// Runs <paramref name="batch"/> (≤ <see cref="MaxBatch"/>) images, float32 NCHW [batch, channels, height, width],
    /// writing [batch, OutputSize] to <paramref name="output"/> (see <see cref="Model.CrossVitModel.Run(ReadOnlySpan{float}, int, int, int, Span{float})"/>).
    /// </summary>
    public void Run(ReadOnlySpan<float> input, int batch, int height, int width, Span<float> output)
    {
        CheckRunArguments(_config, input, batch, height, width, output);
        if (batch > MaxBatch)
            throw new ArgumentOutOfRangeException(nameof(batch), batch, $"This session was created for batches of at most {MaxBatch}.");
        RunChecked(input, batch, height, width, output);
    }

    /// <summary><see cref="Run"/> with arguments the caller has checked, <paramref name="batch"/> ≤ <see cref="MaxBatch"/> included.</summary>
    internal void RunChecked(ReadOnlySpan<float> input, int batch, int height, int width, Span<float> output)
    {
        if (Interlocked.Exchange(ref _busy, 1) != 0)
            throw new InvalidOperationException("InferenceSession.Run was called from two threads at once; use one session per thread, or CrossVitModel.Run.");
        try
        {
            long start = _kernels.Recorder is null ? 0 : Stopwatch.GetTimestamp();
            int alone = _images?.PerWorker(batch) ?? 0, first = alone * Threads;
            if (alone > 0) _images!.Run(input, alone, height, width, output);
            if (first < batch)
            {
                int imageIn = input.Length / batch, imageOut = _config.OutputSize;
                PerWorkerImages.Forward(_net, _kernels, input[(first * imageIn)..], batch - first, _largestShared, height, width,
                    output.Slice(first * imageOut, (batch - first) * imageOut), _workspace);
            }
            if (_kernels.Recorder is not null)
            {
                _profiledTicks += Stopwatch.GetTimestamp() - start;
                _profiledPasses++;
                _profiledImages += batch;
            }
        }
        catch
        {
            // A pass that failed part-way leaves its buffers taken: give them back, so the next pass starts on empty arenas.
            _workspace.Release(0);
            _teams?.ReleaseWorkspaces();
            _images?.ReleaseWorkspaces();
            throw;
        }
        finally
        {
            Volatile.Write(ref _busy, 0);
        }
    }

    /// <summary>Throws unless <paramref name="input"/> holds <paramref name="batch"/> images of <paramref name="config"/>'s channels and <paramref name="output"/> has room for their outputs.</summary>
    internal static void CheckRunArguments(CrossVitConfig config, ReadOnlySpan<float> input, int batch, int height, int width, Span<float> output)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(batch, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(height, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(width, 1);
        long expected = (long)batch * config.InChannels * height * width;
        if (input.Length != expected)
            throw new ArgumentException($"Input has {input.Length} floats; expected batch × channels × height × width = {batch} × {config.InChannels} × {height} × {width} = {expected}.", nameof(input));
        if (output.Length < (long)batch * config.OutputSize)
            throw new ArgumentException($"Output has room for {output.Length} floats; expected at least batch × {config.OutputSize} = {batch * config.OutputSize}.", nameof(output));
    }

    /// <summary>Whether this session profiles its passes (<see cref="SessionOptions.Profile"/>).</summary>
    public bool IsProfiling => _kernels.Recorder is not null;

    /// <summary>
    /// What the passes since the session's creation or the last <see cref="ResetProfile"/> measured: the passes' time and
    /// every operation's, by kind and layer. Call it between runs, on the thread that runs the session.
    /// </summary>
    /// <exception cref="InvalidOperationException">The session was created without <see cref="SessionOptions.Profile"/>.</exception>
    public PassProfile ReadProfile()
    {
        var recorder = _kernels.Recorder ?? throw new InvalidOperationException("This session does not profile; create it with SessionOptions.Profile = true.");
        var totals = new List<(OpSite Site, OpRecorder.Totals Totals)>();
        recorder.AddTo(totals);
        foreach (var group in _teams?.Recorders ?? []) group.AddTo(totals);
        foreach (var worker in _images?.Recorders ?? []) worker.AddTo(totals, concurrent: Threads);
        double msPerTick = 1000.0 / Stopwatch.Frequency;
        var layers = totals.Where(e => e.Totals.Calls > 0).Select(e => new OpProfile(e.Site.Kind, e.Site.Layer, e.Totals.Calls, e.Totals.Ticks * msPerTick,
            e.Totals.MultiplyAdds, e.Totals.Bytes, e.Totals.Waits.ToMilliseconds(msPerTick))).ToList();
        double imageWait = (_images?.WaitTicks ?? 0) * msPerTick / Threads;
        return new PassProfile(Threads, _profiledPasses, _profiledImages, _profiledTicks * msPerTick, layers, imageWait);
    }

    /// <summary>Forgets what the profile has measured so far, e.g. after warm-up runs.</summary>
    /// <exception cref="InvalidOperationException">The session was created without <see cref="SessionOptions.Profile"/>.</exception>
    public void ResetProfile()
    {
        var recorder = _kernels.Recorder ?? throw new InvalidOperationException("This session does not profile; create it with SessionOptions.Profile = true.");
        recorder.Clear();
        foreach (var group in _teams?.Recorders ?? []) group.Clear();
        _images?.ClearProfile();
        _profiledPasses = _profiledImages = _profiledTicks = 0;
    }

    /// <summary>Stops the worker threads.</summary>
    public void Dispose() => _pool.Dispose();

    /// <summary>
    /// Walks the forward pass without computing, at the largest pass the workers share (<paramref name="shared"/> images)
    /// and at the largest each runs by itself (<paramref name="alone"/>): each workspace's LIFO reuse is the liveness plan,
    /// and its peak becomes the one arena every later call slices.
    /// </summary>
    private void PlanArena(int shared, int alone)
    {
        var c = _config;
        int size = c.ImgSize[0];
        _kernels.Planning = true;
        _net.Forward(_kernels, new float[shared * c.InChannels * size * size], shared, size, size, new float[shared * c.OutputSize], _workspace);
        _kernels.Planning = false;
        _images?.Plan(alone, size);
    }
}

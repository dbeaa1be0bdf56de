using CrossVit.Runtime.Kernels;
using CrossVit.Runtime.Profiling;
using CrossVit.Runtime.Threading;

namespace CrossVit.Runtime.Engine;

/// <summary>
/// Runs whole images on separate workers (<see cref="ImageScheduling.PerWorker"/>): each of the pool's workers runs
/// its share of a batch through the network by itself, on kernels and a workspace of its own. The workers share no
/// buffer, so none reads what another has just written or writes where another wrote, which on some hosts costs a
/// split pass up to a third of its speed (docs/performance.md, "Two threads and the host"), and none waits for
/// another until its images are done. Every
/// operation computes an image's rows with the same instructions whatever the batch, so results stay bit-identical
/// to a run on one thread.
/// </summary>
internal sealed unsafe class PerWorkerImages : ParallelJob
{
    private readonly IForwardPass _net;
    private readonly WorkerPool _pool;
    private readonly Workspace[] _workspaces;
    private readonly ParallelKernels[] _kernels;
    private readonly int _channels, _imageOut;
    private readonly long[]? _finished;   // in a profiled session: when each worker was done with its images
    private float* _input, _output;
    private int _perWorker, _height, _width;

    /// <summary>
    /// One lone team, workspace and kernels for each of <paramref name="pool"/>'s workers, running <paramref name="net"/>
    /// on images of <paramref name="channels"/> channels into <paramref name="imageOut"/> outputs each; with
    /// <paramref name="profile"/>, each worker records its operations.
    /// </summary>
    public PerWorkerImages(KernelSet kernels, IForwardPass net, WorkerPool pool, int channels, int imageOut, bool profile)
    {
        _net = net;
        _pool = pool;
        _channels = channels;
        _imageOut = imageOut;
        _workspaces = new Workspace[pool.Threads];
        _kernels = new ParallelKernels[pool.Threads];
        for (int w = 0; w < pool.Threads; w++)
        {
            _workspaces[w] = new Workspace();
            // A team of one: every operation runs on the worker that calls it.
            _kernels[w] = new ParallelKernels(kernels, new WorkerGroup(), _workspaces[w], recorder: profile ? new OpRecorder(1) : null);
        }
        if (profile) _finished = new long[pool.Threads];
    }

    /// <summary>Gives back every buffer of the workspaces, after a pass that failed part-way.</summary>
    public void ReleaseWorkspaces()
    {
        foreach (var workspace in _workspaces) workspace.Release(0);
    }

    /// <summary>Floats in the workers' workspaces.</summary>
    public int ArenaSize => _workspaces.Sum(w => w.Capacity);

    /// <summary>What each worker's operations recorded, in a profiled session (else empty).</summary>
    public IEnumerable<OpRecorder> Recorders => _kernels.Select(k => k.Recorder).OfType<OpRecorder>();

    /// <summary>
    /// In a profiled session, the Stopwatch ticks workers done with their images spent waiting for the last worker to
    /// finish its own, summed over the workers: uneven cores or a core the host took away show here, not in any operation.
    /// </summary>
    public long WaitTicks { get; private set; }

    /// <summary>Forgets what the workers recorded.</summary>
    public void ClearProfile()
    {
        foreach (var recorder in Recorders) recorder.Clear();
        WaitTicks = 0;
    }

    /// <summary>
    /// Images each of <paramref name="threads"/> workers runs by itself in a batch of <paramref name="batch"/> under
    /// <paramref name="images"/>: the whole images per worker, 0 with one thread or <see cref="ImageScheduling.Shared"/>.
    /// </summary>
    public static int PerWorker(int batch, int threads, ImageScheduling images) =>
        threads > 1 && images == ImageScheduling.PerWorker ? batch / threads : 0;

    /// <summary>
    /// The most images a worker that runs a batch by itself, a one-thread session's included, takes in one pass of the
    /// network: it runs more in passes of this many. A pass's activations grow with its images, and four of
    /// crossvit_9_dagger_240's hold about 0.8 MB in each of the small branch's token tensors, where a Zen 5 core has 1 MB
    /// of L2, while each weight panel is already read once for four. In passes of four, batch 8 on one thread took
    /// 0.956–0.980 of the time (design.md, "Passes of at most four images").
    /// </summary>
    public const int MostPerPass = 4;

    /// <summary>
    /// The largest pass the workers share in a session of batches up to <paramref name="maxBatch"/>: fewer images than
    /// the threads when workers run images by themselves, at most <see cref="MostPerPass"/> on one thread, else every
    /// batch.
    /// </summary>
    public static int LargestShared(int maxBatch, int threads, ImageScheduling images) =>
        PerWorker(maxBatch, threads, images) > 0 ? threads - 1 : threads == 1 ? Math.Min(maxBatch, MostPerPass) : maxBatch;

    /// <summary>The largest pass a worker runs by itself in a session of batches up to <paramref name="maxBatch"/> (0 when none does).</summary>
    public static int LargestAlone(int maxBatch, int threads, ImageScheduling images) => Math.Min(PerWorker(maxBatch, threads, images), MostPerPass);

    /// <summary>
    /// Runs <paramref name="batch"/> images of <paramref name="input"/> through <paramref name="net"/> in passes of at
    /// most <paramref name="most"/>, writing their rows of <paramref name="output"/> (batch rows exactly). Every operation
    /// computes an image's rows with the same instructions whatever the batch, so the passes give the bits one would.
    /// </summary>
    public static void Forward(IForwardPass net, ParallelKernels k, ReadOnlySpan<float> input, int batch, int most, int height, int width, Span<float> output, Workspace ws)
    {
        int imageIn = input.Length / batch, imageOut = output.Length / batch;
        for (int first = 0; first < batch; first += most)
        {
            int images = Math.Min(most, batch - first);
            net.Forward(k, input.Slice(first * imageIn, images * imageIn), images, height, width, output.Slice(first * imageOut, images * imageOut), ws);
        }
    }

    /// <summary>Images each worker runs by itself in a batch of <paramref name="batch"/>: the static rule, for this pool.</summary>
    public int PerWorker(int batch) => PerWorker(batch, _pool.Threads, ImageScheduling.PerWorker);

    /// <summary>Walks every worker's workspace through a pass of <paramref name="perWorker"/> images of size × size (the largest it runs), computing nothing.</summary>
    public void Plan(int perWorker, int size)
    {
        var input = new float[perWorker * _channels * size * size];
        var output = new float[perWorker * _imageOut];
        for (int w = 0; w < _kernels.Length; w++)
        {
            _kernels[w].Planning = true;
            _net.Forward(_kernels[w], input, perWorker, size, size, output, _workspaces[w]);
            _kernels[w].Planning = false;
        }
    }

    /// <summary>
    /// Runs the first <paramref name="perWorker"/> · threads images of <paramref name="input"/> ([batch, channels, height,
    /// width]), worker w images [w · perWorker, (w + 1) · perWorker), writing their rows of <paramref name="output"/>.
    /// </summary>
    public void Run(ReadOnlySpan<float> input, int perWorker, int height, int width, Span<float> output)
    {
        fixed (float* pIn = input) fixed (float* pOut = output)
        {
            _input = pIn;
            _output = pOut;
            (_perWorker, _height, _width) = (perWorker, height, width);
            try
            {
                _pool.Run(this);
                if (_finished is not null)
                {
                    long last = _finished.Max();
                    foreach (long finished in _finished) WaitTicks += last - finished;
                }
            }
            finally
            {
                _input = _output = null;
            }
        }
    }

    /// <summary>Worker <paramref name="worker"/> runs its images through the network alone, at most <see cref="MostPerPass"/> at a time.</summary>
    public override void Execute(int worker, int workers)
    {
        int images = _perWorker, imageIn = _channels * _height * _width;
        var input = new ReadOnlySpan<float>(_input + ((long)worker * images * imageIn), images * imageIn);
        var output = new Span<float>(_output + ((long)worker * images * _imageOut), images * _imageOut);
        Forward(_net, _kernels[worker], input, images, MostPerPass, _height, _width, output, _workspaces[worker]);
        if (_finished is not null) _finished[worker] = OpRecorder.Now();
    }
}

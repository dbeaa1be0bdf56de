using CrossVit.Runtime.Kernels;

namespace CrossVit.Runtime.Engine;

/// <summary>
/// The kernels as the model calls them, each operation split across a session's <see cref="WorkerPool"/>:
/// GEMMs by row blocks, attention by (image, head), norms by rows, element-wise ops by aligned chunks.
/// Split points fall on whole rows and on multiples of <see cref="Granule"/> elements, so every output element is
/// computed by the same instructions whatever the thread count: results are bit-identical for any number of threads.
/// In planning mode nothing is computed; the forward pass only walks its buffers, which sizes the session's arena.
/// </summary>
internal sealed unsafe class ParallelKernels(KernelSet kernels, WorkerPool pool, Workspace workspace)
{
    /// <summary>Element-wise chunks are multiples of this (a multiple of every vector width), so tails stay at the end.</summary>
    private const int Granule = 64;

    /// <summary>Rows below which a GEMM is not worth waking the workers for.</summary>
    private const int MinRowsPerWorker = 16;

    private readonly LinearJob _linear = new();
    private readonly AttentionJob _attention = new();
    private readonly LayerNormJob _layerNorm = new();
    private readonly GeluJob _gelu = new();
    private readonly ConvJob _conv = new();

    public KernelSet Kernels => kernels;

    /// <summary>When set, operations return without computing (the arena is being planned).</summary>
    public bool Planning { get; set; }

    public void Linear(ReadOnlySpan<float> x, int rows, PackedMatrix weight, ReadOnlySpan<float> bias, Span<float> y, Epilogue epilogue = Epilogue.None)
    {
        if (Planning) return;
        if (Workers(rows, MinRowsPerWorker) == 1)
        {
            kernels.Linear(x, rows, weight, bias, y, epilogue);
            return;
        }
        fixed (float* px = x) fixed (float* pb = bias) fixed (float* py = y)
        {
            _linear.Set(kernels, px, rows, weight, pb, bias.Length, py, epilogue);
            pool.Run(_linear);
        }
    }

    /// <summary>One image's convolution, split into bands of output pixels.</summary>
    public void Conv2d(ReadOnlySpan<float> x, int inH, int inW, PackedMatrix weight, int stride, int pad, ReadOnlySpan<float> bias, Span<float> y, Epilogue epilogue)
    {
        if (Planning) return;
        var (outH, outW) = KernelSet.ConvOutputSize(inH, inW, weight.KernelH, weight.KernelW, stride, pad);
        if (Workers(outH * outW, MinRowsPerWorker) == 1)
        {
            kernels.Conv2d(x, inH, inW, weight, stride, pad, bias, y, epilogue);
            return;
        }
        fixed (float* px = x) fixed (float* pb = bias) fixed (float* py = y)
        {
            _conv.Set(kernels, px, x.Length, inH, inW, weight, stride, pad, pb, bias.Length, py, y.Length, epilogue, outH * outW);
            pool.Run(_conv);
        }
    }

    public void Resize(ReadOnlySpan<float> src, int planes, int inH, int inW, Span<float> dst, int outH, int outW, ResizeMode mode)
    {
        if (!Planning) kernels.Resize(src, planes, inH, inW, dst, outH, outW, mode);
    }

    public void LayerNorm(ReadOnlySpan<float> x, int rows, int dim, ReadOnlySpan<float> gamma, ReadOnlySpan<float> beta, float eps, Span<float> y)
    {
        if (Planning) return;
        if (Workers(rows * dim, 4096) == 1)
        {
            kernels.LayerNorm(x, rows, dim, gamma, beta, eps, y);
            return;
        }
        fixed (float* px = x) fixed (float* pg = gamma) fixed (float* pb = beta) fixed (float* py = y)
        {
            _layerNorm.Set(kernels, px, rows, dim, pg, pb, eps, py);
            pool.Run(_layerNorm);
        }
    }

    public void Gelu(ReadOnlySpan<float> x, Span<float> y)
    {
        if (Planning) return;
        if (Workers(x.Length, 4096) == 1)
        {
            kernels.Gelu(x, y);
            return;
        }
        fixed (float* px = x) fixed (float* py = y)
        {
            _gelu.Set(kernels, px, py, x.Length);
            pool.Run(_gelu);
        }
    }

    /// <summary>
    /// Multi-head attention for a batch: image b's q, k, v and output start at b times their batch strides;
    /// within an image the layout is that of <c>KernelSet.Attention</c>. Work items are (image, head) pairs.
    /// </summary>
    public void Attention(ReadOnlySpan<float> q, int ldq, int qStride, ReadOnlySpan<float> k, int ldk, ReadOnlySpan<float> v, int ldv, int kvStride,
        int batch, int tq, int tk, int heads, int headDim, float scale, Span<float> output, int ldo, int outStride)
    {
        int scratchSize = KernelSet.AttentionScratchSize(tq, tk), mark = workspace.Mark();
        var scratch = workspace.Take(pool.Threads * scratchSize);
        if (!Planning)
        {
            fixed (float* pq = q) fixed (float* pk = k) fixed (float* pv = v) fixed (float* po = output) fixed (float* ps = scratch)
            {
                _attention.Set(kernels, pq, ldq, qStride, pk, ldk, pv, ldv, kvStride, batch, tq, tk, heads, headDim, scale, po, ldo, outStride, ps, scratchSize);
                pool.Run(_attention);
            }
        }
        workspace.Release(mark);
    }

    private int Workers(int work, int minimumPerWorker) => Math.Clamp(work / minimumPerWorker, 1, pool.Threads);

    /// <summary>Worker w's share [start, end) of count items, split evenly in multiples of granule.</summary>
    private static (int Start, int End) Share(int count, int granule, int worker, int workers)
    {
        int units = (count + granule - 1) / granule;
        int start = (int)((long)units * worker / workers) * granule, end = (int)((long)units * (worker + 1) / workers) * granule;
        return (Math.Min(start, count), Math.Min(end, count));
    }

    private sealed class LinearJob : ParallelJob
    {
        private KernelSet _k = null!;
        private PackedMatrix _w = null!;
        private float* _x, _bias, _y;
        private int _rows, _biasLength;
        private Epilogue _epilogue;

        public void Set(KernelSet k, float* x, int rows, PackedMatrix w, float* bias, int biasLength, float* y, Epilogue epilogue)
        {
            _k = k;
            _x = x;
            _rows = rows;
            _w = w;
            _bias = bias;
            _biasLength = biasLength;
            _y = y;
            _epilogue = epilogue;
        }

        public override void Execute(int worker, int workers)
        {
            var (start, end) = Share(_rows, MinRowsPerWorker, worker, workers);
            if (start == end) return;
            _k.Linear(new ReadOnlySpan<float>(_x + (long)start * _w.Cols, (end - start) * _w.Cols), end - start, _w,
                new ReadOnlySpan<float>(_bias, _biasLength), new Span<float>(_y + (long)start * _w.Rows, (end - start) * _w.Rows), _epilogue);
        }
    }

    private sealed class ConvJob : ParallelJob
    {
        private KernelSet _k = null!;
        private PackedMatrix _w = null!;
        private float* _x, _bias, _y;
        private int _xLength, _inH, _inW, _stride, _pad, _biasLength, _yLength, _pixels;
        private Epilogue _epilogue;

        public void Set(KernelSet k, float* x, int xLength, int inH, int inW, PackedMatrix w, int stride, int pad,
            float* bias, int biasLength, float* y, int yLength, Epilogue epilogue, int pixels)
        {
            _k = k;
            _x = x;
            _xLength = xLength;
            _inH = inH;
            _inW = inW;
            _w = w;
            _stride = stride;
            _pad = pad;
            _bias = bias;
            _biasLength = biasLength;
            _y = y;
            _yLength = yLength;
            _epilogue = epilogue;
            _pixels = pixels;
        }

        public override void Execute(int worker, int workers)
        {
            var (start, end) = Share(_pixels, MinRowsPerWorker, worker, workers);
            if (start == end) return;
            _k.Conv2d(new ReadOnlySpan<float>(_x, _xLength), _inH, _inW, _w, _stride, _pad, new ReadOnlySpan<float>(_bias, _biasLength),
                new Span<float>(_y, _yLength), _epilogue, start, end - start);
        }
    }

    private sealed class LayerNormJob : ParallelJob
    {
        private KernelSet _k = null!;
        private float* _x, _gamma, _beta, _y;
        private int _rows, _dim;
        private float _eps;

        public void Set(KernelSet k, float* x, int rows, int dim, float* gamma, float* beta, float eps, float* y)
        {
            _k = k;
            _x = x;
            _rows = rows;
            _dim = dim;
            _gamma = gamma;
            _beta = beta;
            _eps = eps;
            _y = y;
        }

        public override void Execute(int worker, int workers)
        {
            var (start, end) = Share(_rows, 1, worker, workers);
            if (start == end) return;
            int n = (end - start) * _dim;
            _k.LayerNorm(new ReadOnlySpan<float>(_x + (long)start * _dim, n), end - start, _dim,
                new ReadOnlySpan<float>(_gamma, _dim), new ReadOnlySpan<float>(_beta, _dim), _eps, new Span<float>(_y + (long)start * _dim, n));
        }
    }

    private sealed class GeluJob : ParallelJob
    {
        private KernelSet _k = null!;
        private float* _x, _y;
        private int _length;

        public void Set(KernelSet k, float* x, float* y, int length)
        {
            _k = k;
            _x = x;
            _y = y;
            _length = length;
        }

        public override void Execute(int worker, int workers)
        {
            var (start, end) = Share(_length, Granule, worker, workers);
            if (start < end) _k.Gelu(new ReadOnlySpan<float>(_x + start, end - start), new Span<float>(_y + start, end - start));
        }
    }

    private sealed class AttentionJob : ParallelJob
    {
        private KernelSet _k = null!;
        private float* _q, _kv, _v, _out, _scratch;
        private int _ldq, _qStride, _ldk, _ldv, _kvStride, _batch, _tq, _tk, _heads, _headDim, _ldo, _outStride, _scratchSize;
        private float _scale;

        public void Set(KernelSet k, float* q, int ldq, int qStride, float* key, int ldk, float* v, int ldv, int kvStride,
            int batch, int tq, int tk, int heads, int headDim, float scale, float* output, int ldo, int outStride, float* scratch, int scratchSize)
        {
            _k = k;
            _q = q;
            _ldq = ldq;
            _qStride = qStride;
            _kv = key;
            _ldk = ldk;
            _v = v;
            _ldv = ldv;
            _kvStride = kvStride;
            _batch = batch;
            _tq = tq;
            _tk = tk;
            _heads = heads;
            _headDim = headDim;
            _scale = scale;
            _out = output;
            _ldo = ldo;
            _outStride = outStride;
            _scratch = scratch;
            _scratchSize = scratchSize;
        }

        public override void Execute(int worker, int workers)
        {
            var (start, end) = Share(_batch * _heads, 1, worker, workers);
            var scratch = new Span<float>(_scratch + (long)worker * _scratchSize, _scratchSize);
            int width = _heads * _headDim;
            for (int item = start; item < end; item++)
            {
                int b = item / _heads, h = item % _heads;
                _k.Attention(
                    new ReadOnlySpan<float>(_q + (long)b * _qStride, (_tq - 1) * _ldq + width), _ldq,
                    new ReadOnlySpan<float>(_kv + (long)b * _kvStride, (_tk - 1) * _ldk + width), _ldk,
                    new ReadOnlySpan<float>(_v + (long)b * _kvStride, (_tk - 1) * _ldv + width), _ldv,
                    _tq, _tk, _headDim, _scale,
                    new Span<float>(_out + (long)b * _outStride, (_tq - 1) * _ldo + width), _ldo, h, 1, scratch);
            }
        }
    }
}

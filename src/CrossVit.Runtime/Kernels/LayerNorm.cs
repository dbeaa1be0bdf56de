using System.Runtime.CompilerServices;
using CrossVit.Runtime.Kernels.Simd;
using CrossVit.Runtime.Profiling;

namespace CrossVit.Runtime.Kernels;

/// <summary>Row-wise layer norm, two passes for the statistics (mean, then biased variance) as torch computes them.</summary>
internal static unsafe class LayerNorm<TSimd, TVec>
    where TSimd : ISimd<TVec>
    where TVec : struct
{
    /// <summary>Rows interleaved per step: four at a time.</summary>
    private const int Group = 4;

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Run(float* x, int rows, int dim, float* gamma, float* beta, float eps, float* y)
    {
        // One row is a chain of dependent steps (a sum, its reduction across lanes, the variance's, a square root);
        // each step for four rows before the next lets their chains overlap (a quarter less time at width 128, see
        // performance.md). A row's arithmetic is the same in any group: results do not depend on grouping or split.
        var means = stackalloc float[Group];
        var scales = stackalloc float[Group];
        for (var r0 = 0; r0 < rows; r0 += Group)
        {
            var count = Math.Min(Group, rows - r0);
            var first = x + ((long)r0 * dim);
            for (var r = 0; r < count; r++)
            {
                means[r] = Reduction.Sum<Values, TSimd, TVec>(new Values(first + ((long)r * dim)), dim) / dim;
            }

            for (var r = 0; r < count; r++)
            {
                var variance = Reduction.Sum<SquaredDeviations, TSimd, TVec>(new SquaredDeviations(first + ((long)r * dim), means[r]), dim) / dim;
                scales[r] = 1f / MathF.Sqrt(variance + eps);
            }

            for (var r = 0; r < count; r++)
            {
                var xr = first + ((long)r * dim);
                var yr = y + ((long)(r0 + r) * dim);
                Elementwise.Run<Normalized, TSimd, TVec>(new Normalized(xr, gamma, beta, means[r], scales[r]), yr, dim);
            }
        }
    }

    /// <summary>x[i]: the mean's terms.</summary>
    private readonly struct Values(float* x) : IReductionOp
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public TV Accumulate<TS, TV>(TV sum, long i)
            where TS : ISimd<TV>
            where TV : struct => TS.Add(sum, TS.Load(x + i));
    }

    /// <summary>(x[i] − mean)²: the variance's terms.</summary>
    private readonly struct SquaredDeviations(float* x, float mean) : IReductionOp
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public TV Accumulate<TS, TV>(TV sum, long i)
            where TS : ISimd<TV>
            where TV : struct
        {
            var d = TS.Subtract(TS.Load(x + i), TS.Create(mean));
            return TS.MultiplyAdd(d, d, sum);
        }
    }

    /// <summary>(x[i] − mean) · rstd · gamma[i] + beta[i]: one row's normalising pass.</summary>
    private readonly struct Normalized(float* x, float* gamma, float* beta, float mean, float rstd) : IElementwiseOp
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public TV At<TS, TV>(long i)
            where TS : ISimd<TV>
            where TV : struct =>
            TS.MultiplyAdd(TS.Multiply(TS.Subtract(TS.Load(x + i), TS.Create(mean)), TS.Create(rstd)), TS.Load(gamma + i), TS.Load(beta + i));
    }
}

/// <summary>LayerNorm's checked entry.</summary>
public sealed unsafe partial class KernelSet
{
    /// <summary>Per row of length dim: y = (x − mean) / sqrt(var + eps) · gamma + beta, biased variance. y may alias x.</summary>
    public void LayerNorm(ReadOnlySpan<float> x, int rows, int dim, ReadOnlySpan<float> gamma, ReadOnlySpan<float> beta, float eps, Span<float> y)
    {
        CheckLayerNorm(x, rows, dim, gamma, beta, y);
        fixed (float* px = x)
        fixed (float* pg = gamma)
        fixed (float* pb = beta)
        fixed (float* py = y)
        {
            _impl.LayerNorm(px, rows, dim, pg, pb, eps, py);
        }
    }

    /// <summary>Throws unless the arguments describe a LayerNorm of rows × dim floats.</summary>
    internal static void CheckLayerNorm(ReadOnlySpan<float> x, int rows, int dim, ReadOnlySpan<float> gamma, ReadOnlySpan<float> beta, Span<float> y)
    {
        Require(rows >= 0 && dim > 0, "LayerNorm needs rows ≥ 0 and dim > 0.");
        Require(x.Length >= (long)rows * dim && y.Length >= (long)rows * dim, $"x and y need {rows}×{dim} floats.");
        Require(gamma.Length >= dim && beta.Length >= dim, $"gamma and beta need {dim} floats.");
    }
}

internal abstract unsafe partial class KernelImpl
{
    public abstract void LayerNorm(float* x, int rows, int dim, float* gamma, float* beta, float eps, float* y);
}

internal sealed unsafe partial class KernelImpl<TSimd, TVec>
{
    public override void LayerNorm(float* x, int rows, int dim, float* gamma, float* beta, float eps, float* y) =>
        LayerNorm<TSimd, TVec>.Run(x, rows, dim, gamma, beta, eps, y);
}

internal sealed unsafe partial class ParallelKernels
{
    private readonly Job<LayerNormWork> _layerNorm = new();

    public void LayerNorm(ReadOnlySpan<float> x, int rows, int dim, ReadOnlySpan<float> gamma, ReadOnlySpan<float> beta, float eps, Span<float> y,
        OpSite? site = null)
    {
        if (Planning) return;
        long start = _recorder is null ? 0 : OpRecorder.Now();
        if (Workers(rows * dim, 4096) == 1)
        {
            _kernels.LayerNorm(x, rows, dim, gamma, beta, eps, y);
            _recorder?.Stop(site, start, _team.Threads, split: false, 0, 2L * sizeof(float) * rows * dim);
            return;
        }
        KernelSet.CheckLayerNorm(x, rows, dim, gamma, beta, y);
        fixed (float* px = x) fixed (float* pg = gamma) fixed (float* pb = beta) fixed (float* py = y)
        {
            Run(_layerNorm, new LayerNormWork(_impl, px, rows, dim, pg, pb, eps, py));
        }
        _recorder?.Stop(site, start, _team.Threads, split: true, 0, 2L * sizeof(float) * rows * dim);
    }

    private readonly struct LayerNormWork(KernelImpl impl, float* x, int rows, int dim, float* gamma, float* beta, float eps, float* y) : IWork
    {
        public void Execute(int worker, int workers)
        {
            // Bands of half row tiles, as the GEMMs split: each worker normalises the rows it has just written.
            var (start, end) = Share(rows, impl.RowGranule, worker, workers);
            if (start == end) return;
            impl.LayerNorm(x + (long)start * dim, end - start, dim, gamma, beta, eps, y + (long)start * dim);
        }
    }
}

using System.Runtime.CompilerServices;
using CrossVit.Runtime.Kernels.Simd;
using CrossVit.Runtime.Profiling;

namespace CrossVit.Runtime.Kernels;

/// <summary>
/// x += y, element by element: the second head group's partial product joining the tokens
/// (<c>Model.Layers.LinearGroups</c>), run in place by <see cref="Elementwise.Run"/>.
/// </summary>
internal readonly unsafe struct AddInPlace(float* x, float* y) : IElementwiseOp
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public TVec At<TSimd, TVec>(long i)
        where TSimd : ISimd<TVec>
        where TVec : struct => TSimd.Add(TSimd.Load(x + i), TSimd.Load(y + i));
}

/// <summary>AddInPlace's checked entry.</summary>
public sealed unsafe partial class KernelSet
{
    /// <summary>x[i] += y[i] for every i &lt; y.Length.</summary>
    public void AddInPlace(Span<float> x, ReadOnlySpan<float> y)
    {
        CheckAddInPlace(x, y);
        fixed (float* px = x)
        fixed (float* py = y)
        {
            _impl.AddInPlace(px, py, y.Length);
        }
    }

    /// <summary>Throws unless x holds at least y's length.</summary>
    internal static void CheckAddInPlace(Span<float> x, ReadOnlySpan<float> y) =>
        Require(x.Length >= y.Length, $"x has {x.Length} floats; it needs y's {y.Length}.");
}

internal abstract unsafe partial class KernelImpl
{
    public abstract void AddInPlace(float* x, float* y, long length);
}

internal sealed unsafe partial class KernelImpl<TSimd, TVec>
{
    public override void AddInPlace(float* x, float* y, long length) => Elementwise.Run<AddInPlace, TSimd, TVec>(new AddInPlace(x, y), x, length);
}

internal sealed unsafe partial class ParallelKernels
{
    private readonly Job<AddInPlaceWork> _addInPlace = new();

    /// <summary>
    /// x[rows, dim] += y[rows, dim], by bands of rows as the norms split, so the next norm reads the rows its worker has
    /// just updated. A profile counts it as a second call of the layer whose product it adds (proj, fc2), with no work
    /// of its own.
    /// </summary>
    public void AddInPlace(Span<float> x, ReadOnlySpan<float> y, int rows, int dim, OpSite? site = null)
    {
        if (Planning) return;
        long start = _recorder is null ? 0 : OpRecorder.Now();
        var length = rows * dim;
        if (Workers(length, 4096) == 1)
        {
            _kernels.AddInPlace(x, y[..length]);
            _recorder?.Stop(site, start, _team.Threads, split: false, 0);
            return;
        }
        KernelSet.CheckAddInPlace(x, y[..length]);
        fixed (float* px = x) fixed (float* py = y)
        {
            Run(_addInPlace, new AddInPlaceWork(_impl, px, py, rows, dim));
        }
        _recorder?.Stop(site, start, _team.Threads, split: true, 0);
    }

    private readonly struct AddInPlaceWork(KernelImpl impl, float* x, float* y, int rows, int dim) : IWork
    {
        public void Execute(int worker, int workers)
        {
            var (start, end) = Share(rows, impl.RowGranule, worker, workers);
            if (start == end) return;
            long offset = (long)start * dim;
            impl.AddInPlace(x + offset, y + offset, (long)(end - start) * dim);
        }
    }
}

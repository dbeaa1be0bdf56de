using System.Runtime.CompilerServices;
namespace CrossVit.Runtime.Kernels.Simd;

/// <summary>
/// The one loop every element-wise operation runs in: whole vectors, then one more vector overlapping the last of them
/// for the remainder; only a length under one vector goes element by element, through the same operation.
/// </summary>
internal static unsafe class Elementwise
{
    /// <summary>y[i] = op(x[i]); y may be x itself.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Map<TOp, TSimd, TVec>(float* x, float* y, int length)
        where TOp : IUnaryOperator
        where TSimd : ISimd<TVec>
        where TVec : struct =>
        Run<Unary<TOp>, TSimd, TVec>(new Unary<TOp>(x), y, length);

    /// <summary>y[i] = op.At(i) for i &lt; length; y may be one of op's inputs.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Run<TOp, TSimd, TVec>(TOp op, float* y, long length)
        where TOp : struct, IElementwiseOp
        where TSimd : ISimd<TVec>
        where TVec : struct
    {
        if (length >= TSimd.Count)
        {
            Steps<TOp, TSimd, TVec>(op, y, length);
        }
        else if (length > 0)
        {
            Steps<TOp, ScalarSimd, float>(op, y, length);
        }
    }

    /// <summary>
    /// <see cref="Run"/> for length ≥ one vector of <typeparamref name="TS"/>: the last vector is computed before the
    /// loop, which may overwrite its inputs, and stored after it.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Steps<TOp, TS, TV>(TOp op, float* y, long length)
        where TOp : struct, IElementwiseOp
        where TS : ISimd<TV>
        where TV : struct
    {
        var end = length - TS.Count;
        var last = op.At<TS, TV>(end);
        for (long i = 0; i < end; i += TS.Count)
        {
            TS.Store(op.At<TS, TV>(i), y + i);
        }

        TS.Store(last, y + end);
    }

    /// <summary>x[i] · factor: softmax's scaling pass, attention's ragged rows divided by their sums.</summary>
    public readonly struct Scaled(float* x, float factor) : IElementwiseOp
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public TV At<TS, TV>(long i)
            where TS : ISimd<TV>
            where TV : struct => TS.Multiply(TS.Load(x + i), TS.Create(factor));
    }

    /// <summary><typeparamref name="TOp"/> of x[i].</summary>
    private readonly struct Unary<TOp>(float* x) : IElementwiseOp
        where TOp : IUnaryOperator
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public TVec At<TSimd, TVec>(long i)
            where TSimd : ISimd<TVec>
            where TVec : struct => TOp.Invoke<TSimd, TVec>(TSimd.Load(x + i));
    }
}

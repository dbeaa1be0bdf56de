using System.Runtime.CompilerServices;
using CrossVit.Runtime.Kernels.Simd;

namespace CrossVit.Runtime.Kernels;

/// <summary>softmax(row) in place: max-subtracted, exponentials stored while summing, then one scaling pass.</summary>
/// <remarks>No scale: callers fold it into the scores (attention into its packed keys), so the max pass is one max per vector.</remarks>
internal static unsafe class Softmax<TSimd, TVec>
    where TSimd : ISimd<TVec>
    where TVec : struct
{
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Run(float* row, int n)
    {
        if (n == 0)
        {
            return;
        }

        var inverse = 1f / Exponentiate(row, n);
        Elementwise.Run<Elementwise.Scaled, TSimd, TVec>(new Elementwise.Scaled(row, inverse), row, n);
    }

    /// <summary>row = exp(row − max) in place; returns the sum (the softmax before normalisation), n ≥ 1.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static float Exponentiate(float* row, int n)
    {
        var w = TSimd.Count;
        if (n < w)
        {
            // A row shorter than one vector goes element by element, through the same passes at width one.
            return Softmax<ScalarSimd, float>.Exponentiate(row, n);
        }

        // Four running maxima: one would make every vector wait for the previous max.
        TVec max0 = TSimd.Create(float.NegativeInfinity), max1 = max0, max2 = max0, max3 = max0;
        var i = 0;
        for (; i <= n - (4 * w); i += 4 * w)
        {
            max0 = TSimd.Max(max0, TSimd.Load(row + i));
            max1 = TSimd.Max(max1, TSimd.Load(row + i + w));
            max2 = TSimd.Max(max2, TSimd.Load(row + i + (2 * w)));
            max3 = TSimd.Max(max3, TSimd.Load(row + i + (3 * w)));
        }

        for (; i <= n - w; i += w)
        {
            max0 = TSimd.Max(max0, TSimd.Load(row + i));
        }

        if (i < n)
        {
            // The ragged end as the last whole vector, overlapping the previous ones (max does not mind).
            max0 = TSimd.Max(max0, TSimd.Load(row + n - w));
        }

        return ExpAndSum(row, n, TSimd.MaxAcross(TSimd.Max(TSimd.Max(max0, max1), TSimd.Max(max2, max3))));
    }

    /// <summary>
    /// <see cref="Exponentiate"/>'s second pass for n ≥ one vector. The ragged end is the last whole vector, overlapping
    /// the previous ones: exponentiated from the original scores before the loop overwrites them, stored after it (its
    /// overlapping lanes get the same values again), and summed with those lanes cleared, instead of a scalar exp per
    /// element.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static float ExpAndSum(float* row, int n, float max)
    {
        var m = TSimd.Create(max);
        var full = n / TSimd.Count * TSimd.Count;
        var last = n - TSimd.Count;
        var tail = ExpOperator.Invoke<TSimd, TVec>(TSimd.Subtract(TSimd.Load(row + last), m));
        var acc = TSimd.Create(0f);
        for (var i = 0; i < full; i += TSimd.Count)
        {
            var e = ExpOperator.Invoke<TSimd, TVec>(TSimd.Subtract(TSimd.Load(row + i), m));
            TSimd.Store(e, row + i);
            acc = TSimd.Add(acc, e);
        }

        TSimd.Store(tail, row + last);
        // The tail's lanes before full are in acc already.
        return TSimd.Sum(full == n ? acc : TSimd.Add(acc, TSimd.ClearFirst(tail, full - last)));
    }
}

/// <summary>Softmax's checked entry.</summary>
public sealed unsafe partial class KernelSet
{
    /// <summary>In-place, max-subtracted softmax of one row.</summary>
    public void Softmax(Span<float> row)
    {
        fixed (float* p = row)
        {
            _impl.Softmax(p, row.Length);
        }
    }
}

internal abstract unsafe partial class KernelImpl
{
    public abstract void Softmax(float* row, int length);
}

internal sealed unsafe partial class KernelImpl<TSimd, TVec>
{
    public override void Softmax(float* row, int length) => Softmax<TSimd, TVec>.Run(row, length);
}

using System.Runtime.CompilerServices;
using CrossVit.Runtime.Kernels.Simd;

namespace CrossVit.Runtime.Kernels.Gemm;

/// <summary>The GEMM's sink: C (=|+=) tile + bias, the first <c>nr</c> columns only.</summary>
internal readonly unsafe struct CTileSink<TSimd, TVec>(float* c, int ldc, int nr, float* bias, bool accumulate) : ITileSink<TVec>
    where TSimd : ISimd<TVec>
    where TVec : struct
{
    public bool Whole => nr == 2 * TSimd.Count;

    /// <summary>A full row: bias and residual are one add each, stored straight from the registers.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Row(int row, TVec v0, TVec v1)
    {
        var target = c + ((long)row * ldc);
        if (bias != null)
        {
            v0 = TSimd.Add(v0, TSimd.Load(bias));
            v1 = TSimd.Add(v1, TSimd.Load(bias + TSimd.Count));
        }

        if (accumulate)
        {
            v0 = TSimd.Add(TSimd.Load(target), v0);
            v1 = TSimd.Add(TSimd.Load(target + TSimd.Count), v1);
        }

        TSimd.Store(v0, target);
        TSimd.Store(v1, target + TSimd.Count);
    }

    public void Ragged(float* tile, int rows) => StoreEpilogue<TSimd, TVec>.StoreTile(tile, 2 * TSimd.Count, c, ldc, rows, nr, bias, accumulate);
}

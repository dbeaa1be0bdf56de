using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics.X86;

namespace CrossVit.Runtime.Kernels.Gemm;

/// <summary>
/// Software prefetch: weights into L2, a tile's output into L1. There is no portable prefetch API, so this is the x86
/// instruction where it exists and nothing elsewhere (the JIT drops the branch); it only changes timing, never results.
/// </summary>
internal static unsafe class Prefetch
{
    /// <summary>Floats per 64-byte cache line.</summary>
    public const int LineFloats = 16;

    /// <summary>Cache lines of <paramref name="length"/> floats.</summary>
    public static long LinesOf(long length) => (length + LineFloats - 1) / LineFloats;

    /// <summary>
    /// Lines [share · perShare, (share + 1) · perShare) of the <paramref name="lines"/> lines from <paramref name="data"/>,
    /// all at once. Callers work out perShare once per M block: two divisions here, once per micro-tile, cost 0.4–1.4% of
    /// a pass.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Share(float* data, long lines, long perShare, int share)
    {
        if (!Sse.IsSupported)
        {
            return;
        }

        var first = share * perShare;
        var end = Math.Min(lines, first + perShare);
        for (var line = first; line < end; line++)
        {
            Sse.Prefetch1(data + (line * LineFloats));
        }
    }

    /// <summary>
    /// The lines of <paramref name="rows"/> rows of <paramref name="width"/> floats, <paramref name="ldc"/> apart, that
    /// a tile will store to, into L1 before its K loop, as BLIS's micro-kernels fetch C. A pass's output buffers were
    /// last written a pass ago and have left the cache since: without this each row's stores wait, after the loop, for
    /// their lines to be read from L3 or memory. With L2 full of dirty lines, as in a pass, fetching them took `quick`'s
    /// GEMMs of qkv's and fc1's shapes 12–15% faster, and a pass's GEMMs 1–4% (performance-history.md, "This round
    /// (2026-12-06, late night)").
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void OutputTile(float* c, long ldc, int rows, int width)
    {
        if (!Sse.IsSupported)
        {
            return;
        }

        for (var r = 0; r < rows; r++)
        {
            var row = c + (r * ldc);
            // Every line the row touches: one per 16 floats from its start, and the one holding its last float.
            for (var f = 0; f < width; f += LineFloats)
            {
                Sse.Prefetch0(row + f);
            }

            Sse.Prefetch0(row + width - 1);
        }
    }
}

/// <summary>
/// What a micro-kernel fetches into L2 while it runs, a little at every k step rather than all at once before it
/// (<see cref="LineStream"/>), or nothing (<see cref="NoStream"/>). A struct, so each instance inlines it.
/// </summary>
internal interface IPrefetchStream
{
    /// <summary>Called once per k step of the micro-kernel.</summary>
    void Step();
}

/// <summary>No prefetching: a GEMM's tiles that carry no stream, and attention's, whose operands are in L1 or L2 already.</summary>
internal readonly struct NoStream : IPrefetchStream
{
    public void Step()
    {
    }
}

/// <summary>
/// Consecutive lines from <c>next</c>, a new one every <see cref="StepsPerLine"/> k steps: every step prefetches,
/// 1/<see cref="StepsPerLine"/> of a line further on, so the repeats find their line already on its way, and a call
/// over kc steps fetches <see cref="LinesOf"/>(kc) lines. The constant rate costs the loop one pointer; a rate of the
/// caller's choosing took another register, which the AVX-512 micro-kernel does not have to spare (it then reloaded row
/// pointers per step). A prefetch never faults, so a stream may run past the end of its data.
/// </summary>
internal unsafe struct LineStream(float* next) : IPrefetchStream
{
    public const int StepsPerLine = 8;

    private const int LineBytes = Prefetch.LineFloats * sizeof(float);

    private byte* _next = (byte*)next;

    /// <summary>Lines a stream fetches over <paramref name="kc"/> k steps.</summary>
    public static int LinesOf(int kc) => kc / StepsPerLine;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Step()
    {
        if (Sse.IsSupported)
        {
            Sse.Prefetch1(_next);
        }

        _next += LineBytes / StepsPerLine;
    }
}

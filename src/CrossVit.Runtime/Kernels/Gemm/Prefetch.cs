using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics.X86;

namespace CrossVit.Runtime.Kernels.Gemm;

/// <summary>
/// Software prefetch into L2. There is no portable prefetch API, so this is the x86 instruction where it exists and
/// nothing elsewhere (the JIT drops the branch); it only changes timing, never results.
/// </summary>
internal static unsafe class Prefetch
{
    private const int LineFloats = 16;

    /// <summary>Share <paramref name="share"/> of <paramref name="shares"/> of the cache lines of [data, data + length).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Range(float* data, long length, int share, int shares)
    {
        if (!Sse.IsSupported)
        {
            return;
        }

        var lines = (length + LineFloats - 1) / LineFloats;
        var end = lines * (share + 1) / shares;
        for (var line = lines * share / shares; line < end; line++)
        {
            Sse.Prefetch1(data + (line * LineFloats));
        }
    }
}

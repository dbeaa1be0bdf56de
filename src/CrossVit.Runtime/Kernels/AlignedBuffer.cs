using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace CrossVit.Runtime.Kernels;

/// <summary>Pinned float _storage whose usable part starts on a 64-byte (cache line, one zmm) boundary.</summary>
internal sealed unsafe class AlignedBuffer
{
    private const int AlignFloats = 16;

    private readonly float[] _storage;

    public AlignedBuffer(long length)
    {
        Length = length;
        // Pinned, so the aligned pointer computed once stays valid for the buffer's life.
        _storage = GC.AllocateUninitializedArray<float>(checked((int)length + AlignFloats), pinned: true);
        var address = (nint)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(_storage));
        Pointer = (float*)((address + (AlignFloats * sizeof(float)) - 1) & ~(nint)((AlignFloats * sizeof(float)) - 1));
    }

    public long Length { get; }

    public float* Pointer { get; }
}

using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace CrossVit.Runtime.Threading;

/// <summary>
/// A stack (bump) allocator of float buffers for one forward pass. Layers take what they need and give it back
/// in LIFO order with <see cref="Mark"/>/<see cref="Release"/>, so a buffer is reused as soon as it is dead.
/// It grows while a pass first runs and is consolidated into one block at its peak afterwards, so later passes
/// of the same shape allocate nothing. Every buffer starts on a 64-byte boundary: a cache line, and a whole
/// Vector512, so no vector load or store of a buffer's rows splits across two lines when widths are multiples of 16.
/// </summary>
internal sealed unsafe class Workspace
{
    /// <summary>Buffers start at multiples of this many floats (64 bytes).</summary>
    private const int Alignment = 16;

    private readonly List<Memory<float>> _blocks = [];
    private readonly List<int> _blockStarts = [];  // position at which each block began
    private int _position;
    private int _peak;

    /// <summary>Floats currently reserved in one block.</summary>
    public int Capacity => _blocks.Count == 1 ? _blocks[0].Length : 0;

    /// <summary>The current position, to give back everything taken after it with <see cref="Release"/>.</summary>
    public int Mark() => _position;

    /// <summary>Gives back every buffer taken since <paramref name="mark"/>.</summary>
    public void Release(int mark)
    {
        _position = mark;
        // Blocks lying wholly past the mark are no longer in use.
        while (_blocks.Count > 1 && _blockStarts[^1] >= mark)
        {
            _blocks.RemoveAt(_blocks.Count - 1);
            _blockStarts.RemoveAt(_blockStarts.Count - 1);
        }
        if (mark == 0 && _blocks.Count == 1 && _blocks[0].Length < _peak)
        {
            _blocks.Clear();
            _blockStarts.Clear();
            AddBlock(_peak);
        }
    }

    /// <summary>A buffer of <paramref name="length"/> floats, contents unspecified.</summary>
    public Span<float> Take(int length)
    {
        int reserved = (length + Alignment - 1) / Alignment * Alignment;
        var last = _blocks.Count > 0 ? _blocks[^1] : Memory<float>.Empty;
        int offset = _position - (_blockStarts.Count > 0 ? _blockStarts[^1] : 0);
        if (_blocks.Count == 0 || offset + reserved > last.Length)
        {
            // Grow: a new block from here on. Its start may leave a gap in the last block; positions stay monotonic.
            AddBlock(Math.Max(reserved, last.Length));
            last = _blocks[^1];
            offset = 0;
        }
        _position += reserved;
        _peak = Math.Max(_peak, _position);
        return last.Span.Slice(offset, length);
    }

    /// <summary>A block of <paramref name="length"/> floats (a multiple of <see cref="Alignment"/>) starting on a 64-byte boundary of a pinned array.</summary>
    private void AddBlock(int length)
    {
        var array = GC.AllocateUninitializedArray<float>(length + Alignment - 1, pinned: true);
        int skew = (int)((nuint)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(array)) / sizeof(float) % Alignment);
        _blockStarts.Add(_position);
        _blocks.Add(array.AsMemory((Alignment - skew) % Alignment, length));
    }
}

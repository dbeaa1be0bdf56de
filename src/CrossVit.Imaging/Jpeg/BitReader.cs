using System.Buffers.Binary;

namespace CrossVit.Imaging.Jpeg;

/// <summary>
/// Reads the entropy-coded bits of a scan: removes 0xFF00 byte stuffing and stops at markers. Past a marker or the
/// end of the data it supplies zero bits, as libjpeg does, but counts them so that consuming any of them
/// (which a well-formed stream never does) is reported as truncated data. Only the first <c>length</c> bytes of
/// <c>data</c> are read.
/// </summary>
internal sealed class BitReader(byte[] data, int length, int position)
{
    private ulong _buffer;
    private int _count;
    private int _paddingBits;

    /// <summary>Offset of the next unread byte; at the end of a scan this is the following marker.</summary>
    public int Position { get; private set; } = position;

    /// <summary>The next <paramref name="n"/> (1..16) bits without consuming them.</summary>
    public int Peek(int n)
    {
        if (_count < n)
        {
            Fill();
        }

        return (int)(_buffer >> (64 - n));
    }

    public void Skip(int n)
    {
        _buffer <<= n;
        _count -= n;
    }

    /// <summary>Reads <paramref name="n"/> (0..16) bits as an unsigned number.</summary>
    public int ReadBits(int n)
    {
        if (n == 0)
        {
            return 0;
        }

        int value = Peek(n);
        Skip(n);
        return value;
    }

    public int ReadBit() => ReadBits(1);

    /// <summary>Reads an <paramref name="n"/>-bit magnitude category value and sign-extends it (JPEG's EXTEND).</summary>
    public int ReadSigned(int n)
    {
        int value = ReadBits(n);
        return n != 0 && value < (1 << (n - 1)) ? value - (1 << n) + 1 : value;
    }

    /// <summary>Throws if decoding has used bits that do not exist in the data.</summary>
    public void ThrowIfOverrun()
    {
        if (_paddingBits > _count)
        {
            throw new ImageFormatException($"JPEG: entropy-coded data ends early near byte {Position}; the file is truncated or corrupt.");
        }
    }

    /// <summary>Discards buffered bits and consumes the expected RSTn marker that ends a restart interval.</summary>
    public void ReadRestartMarker(int n)
    {
        ThrowIfOverrun();
        _buffer = 0;
        _count = 0;
        _paddingBits = 0;
        while (Position + 1 < length && data[Position] == 0xFF && data[Position + 1] == 0xFF)
        {
            Position++;
        }

        if (Position + 1 >= length || data[Position] != 0xFF || data[Position + 1] != 0xD0 + n)
        {
            throw new ImageFormatException($"JPEG: expected restart marker RST{n} at byte {Position}.");
        }

        Position += 2;
    }

    private void Fill()
    {
        // Whole bytes at once while the next eight hold no 0xFF (no stuffing, no marker): the common case.
        if (Position <= length - 8)
        {
            ulong word = BinaryPrimitives.ReadUInt64BigEndian(data.AsSpan(Position));
            if (!HasFFByte(word))
            {
                int bytes = (64 - _count) >> 3;
                _buffer |= (word >> (64 - (8 * bytes))) << (64 - _count - (8 * bytes));
                _count += 8 * bytes;
                Position += bytes;
                return;
            }
        }

        while (_count <= 56)
        {
            ulong b;
            if (Position < length && data[Position] != 0xFF)
            {
                b = data[Position++];
            }
            else if (Position + 1 < length && data[Position + 1] == 0x00)
            {
                b = 0xFF;
                Position += 2;
            }
            else
            {
                b = 0;
                _paddingBits += 8;
            }

            _buffer |= b << (56 - _count);
            _count += 8;
        }
    }

    /// <summary>Whether any byte of <paramref name="word"/> is 0xFF (a zero byte of its complement).</summary>
    private static bool HasFFByte(ulong word)
    {
        ulong x = ~word;
        return ((x - 0x0101010101010101UL) & ~x & 0x8080808080808080UL) != 0;
    }
}

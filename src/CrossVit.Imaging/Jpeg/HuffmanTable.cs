namespace CrossVit.Imaging.Jpeg;

/// <summary>A canonical JPEG Huffman table with a 9-bit fast lookup and a per-length fallback.</summary>
internal sealed class HuffmanTable
{
    private const int LookupBits = 9;

    /// <summary>For each 9-bit prefix: code length &lt;&lt; 8 | symbol, or 0 when the code is longer.</summary>
    private readonly ushort[] _lookup = new ushort[1 << LookupBits];
    private readonly int[] _maxCode = new int[17];
    private readonly int[] _valueOffset = new int[17];
    private readonly byte[] _values;

    private HuffmanTable(byte[] values) => _values = values;

    /// <summary>Builds the table from the DHT code-length counts (16 entries) and symbols.</summary>
    public static HuffmanTable Build(ReadOnlySpan<byte> counts, ReadOnlySpan<byte> symbols)
    {
        var table = new HuffmanTable(symbols.ToArray());
        int code = 0;
        int k = 0;
        for (int length = 1; length <= 16; length++)
        {
            int n = counts[length - 1];
            table._valueOffset[length] = k - code;
            for (int i = 0; i < n; i++, code++, k++)
            {
                if (code >= 1 << length)
                {
                    throw new ImageFormatException("JPEG: Huffman table has more codes than its code lengths allow.");
                }

                if (length <= LookupBits)
                {
                    int shift = LookupBits - length;
                    table._lookup.AsSpan(code << shift, 1 << shift).Fill((ushort)((length << 8) | symbols[k]));
                }
            }

            table._maxCode[length] = n > 0 ? code - 1 : -1;
            code <<= 1;
        }

        return table;
    }

    public int Decode(BitReader reader)
    {
        int peek = reader.Peek(16);
        int entry = _lookup[peek >> (16 - LookupBits)];
        if (entry != 0)
        {
            reader.Skip(entry >> 8);
            return entry & 0xFF;
        }

        for (int length = LookupBits + 1; length <= 16; length++)
        {
            int code = peek >> (16 - length);
            if (code <= _maxCode[length])
            {
                reader.Skip(length);
                return _values[code + _valueOffset[length]];
            }
        }

        throw new ImageFormatException("JPEG: invalid Huffman code in entropy-coded data.");
    }
}

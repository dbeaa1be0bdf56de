namespace CrossVit.Imaging.Jpeg;

/// <summary>
/// A canonical JPEG Huffman table with a 9-bit fast lookup and a per-length fallback, and for AC coefficients a second
/// 9-bit lookup that decodes a symbol and its extra bits in one step when both fit in 9 bits (most coefficients).
/// </summary>
internal sealed class HuffmanTable
{
    private const int LookupBits = 9;

    /// <summary>For each 9-bit prefix: code length &lt;&lt; 8 | symbol, or 0 when the code is longer.</summary>
    private readonly ushort[] _lookup = new ushort[1 << LookupBits];

    /// <summary>
    /// For each 9-bit prefix holding a whole AC symbol with a non-zero size and its extra bits: the coefficient's
    /// value &lt;&lt; 16 | zero run &lt;&lt; 8 | bits used; 0 otherwise (and for EOB and ZRL, which take the slow path).
    /// </summary>
    private readonly int[] _acValue = new int[1 << LookupBits];
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
                    table.AddAcValues(code, length, symbols[k]);
                }
            }

            table._maxCode[length] = n > 0 ? code - 1 : -1;
            code <<= 1;
        }

        return table;
    }

    /// <summary>Fills <see cref="_acValue"/> for the 9-bit prefixes that start with <paramref name="code"/>.</summary>
    private void AddAcValues(int code, int length, int symbol)
    {
        int run = symbol >> 4, size = symbol & 15;
        int used = length + size;
        if (size == 0 || used > LookupBits)
        {
            return;
        }

        for (int extra = 0; extra < 1 << size; extra++)
        {
            // JPEG's EXTEND: extra bits below half the range stand for negative values.
            int value = extra < 1 << (size - 1) ? extra - (1 << size) + 1 : extra;
            int prefix = ((code << size) | extra) << (LookupBits - used);
            _acValue.AsSpan(prefix, 1 << (LookupBits - used)).Fill((value << 16) | (run << 8) | used);
        }
    }

    /// <summary>
    /// The next AC coefficient if one lookup decodes it, packed as value &lt;&lt; 16 | zero run &lt;&lt; 8 | bits it
    /// takes (the caller skips them); 0 when the next symbol needs <see cref="Decode"/>.
    /// </summary>
    public int PeekAcValue(BitReader reader) => _acValue[reader.Peek(LookupBits)];

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

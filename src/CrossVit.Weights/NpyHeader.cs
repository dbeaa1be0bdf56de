using System.Buffers.Binary;
using System.Text;

namespace CrossVit.Weights;

/// <summary>
/// The .npy preamble (magic, version, header length) and header dict literal,
/// e.g. <c>{'descr': '&lt;f4', 'fortran_order': False, 'shape': (2, 3), }</c>.
/// </summary>
/// <param name="Descr">The numpy type string, e.g. "&lt;f4".</param>
/// <param name="DType">The element type <paramref name="Descr"/> denotes.</param>
/// <param name="Shape">The dimensions; empty for a scalar.</param>
/// <param name="ElementCount">The product of <paramref name="Shape"/>.</param>
/// <param name="DataLength">The number of data bytes the header calls for.</param>
internal sealed record NpyHeader(string Descr, DType DType, int[] Shape, long ElementCount, long DataLength)
{
    /// <summary>Magic string plus the two version bytes.</summary>
    public const int MagicAndVersionLength = 8;

    /// <summary>numpy refuses longer headers by default too; bounds what is allocated for one.</summary>
    public const int MaxHeaderLength = 1 << 20;

    private static readonly byte[] Magic = [0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y'];

    // Only little-endian (or byte-order-free) types; '|' marks single-byte types, as numpy writes them.
    private static readonly Dictionary<string, DType> Descrs = new(StringComparer.Ordinal)
    {
        ["<f8"] = DType.F64,
        ["<f4"] = DType.F32,
        ["<f2"] = DType.F16,
        ["<i8"] = DType.I64,
        ["<i4"] = DType.I32,
        ["<i2"] = DType.I16,
        ["|i1"] = DType.I8,
        ["|u1"] = DType.U8,
        ["|b1"] = DType.Bool,
    };

    /// <summary>The descr numpy writes for float32.</summary>
    public const string Float32Descr = "<f4";

    /// <summary>Checks the magic string and version; returns the size of the header-length field that follows (2 or 4).</summary>
    public static int ReadLengthFieldSize(ReadOnlySpan<byte> magicAndVersion)
    {
        if (magicAndVersion.Length < MagicAndVersionLength || !magicAndVersion[..Magic.Length].SequenceEqual(Magic))
        {
            throw new TensorFormatException("not a .npy file: expected it to start with the magic string \\x93NUMPY.");
        }

        return magicAndVersion[6] switch
        {
            1 => 2,
            2 or 3 => 4,
            _ => throw new TensorFormatException($".npy version {magicAndVersion[6]}.{magicAndVersion[7]} is not supported; expected 1.0, 2.0 or 3.0."),
        };
    }

    /// <summary>Reads the little-endian header length and checks it against the limit.</summary>
    public static int ReadHeaderLength(ReadOnlySpan<byte> lengthField)
    {
        long length = lengthField.Length == 2 ? BinaryPrimitives.ReadUInt16LittleEndian(lengthField) : BinaryPrimitives.ReadUInt32LittleEndian(lengthField);
        return length <= MaxHeaderLength
            ? (int)length
            : throw new TensorFormatException($".npy header length {length} exceeds the limit of {MaxHeaderLength} bytes.");
    }

    /// <summary>Parses the header dict literal.</summary>
    public static NpyHeader Parse(ReadOnlySpan<byte> text)
    {
        var dict = new DictParser(Encoding.Latin1.GetString(text)).ParseDict();
        string descr = dict.TryGetValue("descr", out var d) ? d as string ?? throw Bad("'descr' is not a string") : throw Missing("descr");
        bool fortran = dict.TryGetValue("fortran_order", out var f) ? f as bool? ?? throw Bad("'fortran_order' is not True or False") : throw Missing("fortran_order");
        long[] dims = dict.TryGetValue("shape", out var s) ? s as long[] ?? throw Bad("'shape' is not a tuple of integers") : throw Missing("shape");
        if (dict.Count != 3)
        {
            throw Bad($"it has keys {string.Join(", ", dict.Keys)}");
        }

        if (fortran)
        {
            throw new TensorFormatException(".npy array is in Fortran order; only C order (fortran_order: False) is supported.");
        }

        if (!Descrs.TryGetValue(descr, out var dtype))
        {
            string why = descr.StartsWith('>') ? "big-endian data is not supported" : "unsupported descr";
            throw new TensorFormatException($".npy descr '{descr}': {why}; expected one of {string.Join(", ", Descrs.Keys)}.");
        }

        if (dims.Any(dim => dim > int.MaxValue)
            || !Shapes.TryGetElementCount(dims, out long count)
            || !Shapes.TryMultiply(count, DTypes.SizeOf(dtype), out long dataLength))
        {
            throw new TensorFormatException($".npy shape {Shapes.Format(dims)} is too large; expected dimensions up to {int.MaxValue} and a byte size that fits in 64 bits.");
        }

        return new NpyHeader(descr, dtype, dims.Select(dim => (int)dim).ToArray(), count, dataLength);
    }

    /// <summary>Formats a version 1.0 header (preamble included) for float32 data, padded to 64 bytes as numpy does.</summary>
    public static byte[] FormatFloat32(IReadOnlyList<int> shape)
    {
        string dims = shape.Count == 1 ? $"({shape[0]},)" : "(" + string.Join(", ", shape) + ")";
        string dict = $"{{'descr': '{Float32Descr}', 'fortran_order': False, 'shape': {dims}, }}";
        const int preamble = MagicAndVersionLength + 2;
        int total = (preamble + dict.Length + 1 + 63) / 64 * 64;
        int headerLength = total - preamble;
        if (headerLength > ushort.MaxValue)
        {
            throw new ArgumentException($"A shape of {shape.Count} dimensions does not fit a version 1.0 .npy header.", nameof(shape));
        }

        var bytes = new byte[total];
        Magic.CopyTo(bytes, 0);
        bytes[6] = 1;
        BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(MagicAndVersionLength), (ushort)headerLength);
        Encoding.ASCII.GetBytes(dict.PadRight(headerLength - 1) + "\n", bytes.AsSpan(preamble));
        return bytes;
    }

    private static TensorFormatException Missing(string key) =>
        new($".npy header has no '{key}' key; expected 'descr', 'fortran_order' and 'shape'.");

    private static TensorFormatException Bad(string what) =>
        new($".npy header is malformed: {what}; expected {{'descr': str, 'fortran_order': bool, 'shape': tuple of ints}}.");

    /// <summary>A parser for the small Python literal subset numpy writes: a dict of str keys to str, bool or int-tuple values.</summary>
    private sealed class DictParser(string text)
    {
        private int _pos;

        public Dictionary<string, object> ParseDict()
        {
            var dict = new Dictionary<string, object>(StringComparer.Ordinal);
            Expect('{');
            while (Peek() != '}')
            {
                string key = ParseString();
                Expect(':');
                if (!dict.TryAdd(key, ParseValue()))
                {
                    throw Bad($"key '{key}' appears twice");
                }

                if (Peek() != ',')
                {
                    break;
                }

                _pos++;
            }

            Expect('}');
            if (Peek() != '\0')
            {
                throw Bad($"unexpected '{text[_pos]}' after the dict");
            }

            return dict;
        }

        private object ParseValue() => Peek() switch
        {
            '\'' or '"' => ParseString(),
            '(' => ParseTuple(),
            'T' or 'F' => ParseBool(),
            '\0' => throw Bad("the header ends early"),
            char c => throw Bad($"unexpected '{c}' where a value should be"),
        };

        private string ParseString()
        {
            char quote = Peek();
            if (quote is not ('\'' or '"'))
            {
                throw Bad($"expected a quoted string at offset {_pos}");
            }

            int end = text.IndexOf(quote, _pos + 1);
            if (end < 0)
            {
                throw Bad("a string is not terminated");
            }

            string value = text[(_pos + 1)..end];
            _pos = end + 1;
            return value;
        }

        private bool ParseBool()
        {
            foreach (var (word, value) in new[] { ("True", true), ("False", false) })
            {
                if (string.CompareOrdinal(text, _pos, word, 0, word.Length) == 0)
                {
                    _pos += word.Length;
                    return value;
                }
            }

            throw Bad($"unexpected text at offset {_pos} where True or False should be");
        }

        private long[] ParseTuple()
        {
            var dims = new List<long>();
            Expect('(');
            while (Peek() != ')')
            {
                dims.Add(ParseDimension());
                if (Peek() != ',')
                {
                    break;
                }

                _pos++;
            }

            Expect(')');
            return [.. dims];
        }

        private long ParseDimension()
        {
            Peek();
            int start = _pos;
            while (_pos < text.Length && char.IsAsciiDigit(text[_pos]))
            {
                _pos++;
            }

            if (_pos == start)
            {
                string found = _pos < text.Length ? $"'{text[_pos]}'" : "the end";
                throw Bad($"shape contains {found} where a non-negative integer should be");
            }

            return long.TryParse(text.AsSpan(start, _pos - start), out long dim)
                ? dim
                : throw Bad($"shape dimension {text[start.._pos]} is too large");
        }

        private void Expect(char c)
        {
            if (Peek() != c)
            {
                throw Bad($"expected '{c}' at offset {_pos}");
            }

            _pos++;
        }

        /// <summary>Skips whitespace and returns the next character, or '\0' at the end.</summary>
        private char Peek()
        {
            while (_pos < text.Length && char.IsWhiteSpace(text[_pos]))
            {
                _pos++;
            }

            return _pos < text.Length ? text[_pos] : '\0';
        }
    }
}

using System.Buffers;
using System.Buffers.Binary;

namespace CrossVit.Imaging.Jpeg;

/// <summary>
/// Baseline and progressive Huffman JPEG decoding (SOF0/SOF1/SOF2, 8-bit, 1 or 3 components) that reproduces
/// libjpeg-turbo's default output as PIL uses it: ISLOW IDCT, fancy upsampling, table-driven YCbCr → RGB.
/// </summary>
internal sealed class JpegDecoder
{
    /// <summary>A pooled copy of the file; only its first <see cref="_length"/> bytes are the file's.</summary>
    private readonly byte[] _data;
    private readonly int _length;
    private readonly DecodeLimits _limits;
    private readonly ushort[]?[] _quantTables = new ushort[4][];
    private readonly HuffmanTable?[] _dcTables = new HuffmanTable[4];
    private readonly HuffmanTable?[] _acTables = new HuffmanTable[4];
    private JpegFrame? _frame;
    private int _restartInterval;
    private bool _sawJfif;
    private int _adobeTransform = -1;
    private int _scanCount;

    private JpegDecoder(byte[] data, int length, DecodeLimits limits)
    {
        _data = data;
        _length = length;
        _limits = limits;
    }

    public static RgbImage Decode(ReadOnlySpan<byte> data, DecodeLimits limits)
    {
        // Pooled like the coefficients: a fresh copy of a large file costs a page fault every 4 KB.
        byte[] copy = ArrayPool<byte>.Shared.Rent(data.Length);
        data.CopyTo(copy);
        var decoder = new JpegDecoder(copy, data.Length, limits);
        try
        {
            return decoder.Run();
        }
        finally
        {
            foreach (JpegComponent c in decoder._frame?.Components ?? []) c.ReturnCoefficients();
            ArrayPool<byte>.Shared.Return(copy);
        }
    }

    private RgbImage Run()
    {
        int pos = 2;
        while (true)
        {
            int marker = NextMarker(ref pos);
            switch (marker)
            {
                case 0xD9:
                    return Finish();
                case 0xC0 or 0xC1 or 0xC2:
                    ReadFrame(Segment(ref pos, marker), progressive: marker == 0xC2);
                    break;
                case 0xC3:
                    throw new ImageFormatException("JPEG: lossless (SOF3) coding is unsupported; expected baseline or progressive Huffman (SOF0/1/2).");
                case >= 0xC5 and <= 0xCF and not 0xC8 and not 0xCC:
                    throw new ImageFormatException($"JPEG: SOF{marker - 0xC0} (hierarchical or arithmetic coding) is unsupported; expected baseline or progressive Huffman (SOF0/1/2).");
                case 0xCC:
                    throw new ImageFormatException("JPEG: arithmetic coding (DAC) is unsupported; expected Huffman coding.");
                case 0xC4:
                    ReadHuffmanTables(Segment(ref pos, marker));
                    break;
                case 0xDB:
                    ReadQuantTables(Segment(ref pos, marker));
                    break;
                case 0xDD:
                    ReadRestartInterval(Segment(ref pos, marker));
                    break;
                case 0xDA:
                    pos = ReadScan(Segment(ref pos, marker), pos);
                    break;
                case 0xDC:
                    throw new ImageFormatException("JPEG: DNL marker (height defined after the scan) is unsupported.");
                case 0xE0:
                    _sawJfif |= Segment(ref pos, marker).StartsWith("JFIF\0"u8);
                    break;
                case 0xEE:
                    ReadAdobe(Segment(ref pos, marker));
                    break;
                case 0xD8 or 0x01 or (>= 0xD0 and <= 0xD7):
                    // Stray SOI, TEM or RSTn outside a scan carry no data; libjpeg skips them too.
                    break;
                default:
                    Segment(ref pos, marker);
                    break;
            }
        }
    }

    /// <summary>Finds the next marker at or after <paramref name="pos"/>, skipping fill bytes and stray data.</summary>
    private int NextMarker(ref int pos)
    {
        while (pos + 1 < _length)
        {
            if (_data[pos] == 0xFF && _data[pos + 1] != 0x00 && _data[pos + 1] != 0xFF)
            {
                int marker = _data[pos + 1];
                pos += 2;
                return marker;
            }

            pos++;
        }

        throw new ImageFormatException("JPEG: reached the end of the data without an EOI marker; the file is truncated.");
    }

    /// <summary>The payload of a length-prefixed marker segment; advances <paramref name="pos"/> past it.</summary>
    private ReadOnlySpan<byte> Segment(ref int pos, int marker)
    {
        if (pos + 2 > _length)
        {
            throw new ImageFormatException($"JPEG: marker 0x{marker:X2} segment is truncated.");
        }

        int length = BinaryPrimitives.ReadUInt16BigEndian(_data.AsSpan(pos, _length - pos));
        if (length < 2 || pos + length > _length)
        {
            throw new ImageFormatException($"JPEG: marker 0x{marker:X2} segment length {length} is invalid or runs past the end of the data.");
        }

        var body = new ReadOnlySpan<byte>(_data, pos + 2, length - 2);
        pos += length;
        return body;
    }

    private void ReadFrame(ReadOnlySpan<byte> s, bool progressive)
    {
        if (_frame is not null)
        {
            throw new ImageFormatException("JPEG: more than one frame header (SOF).");
        }

        if (s.Length < 6)
        {
            throw new ImageFormatException("JPEG: SOF segment too short.");
        }

        if (s[0] != 8)
        {
            throw new ImageFormatException($"JPEG: {s[0]}-bit sample precision is unsupported; expected 8.");
        }

        int height = BinaryPrimitives.ReadUInt16BigEndian(s[1..]);
        int width = BinaryPrimitives.ReadUInt16BigEndian(s[3..]);
        int count = s[5];
        if (count is not (1 or 3))
        {
            throw new ImageFormatException(count == 4
                ? "JPEG: 4-component (CMYK/YCCK) images are unsupported; expected 1 (gray) or 3 (YCbCr/RGB) components."
                : $"JPEG: {count} components are unsupported; expected 1 (gray) or 3 (YCbCr/RGB).");
        }

        if (s.Length != 6 + (3 * count))
        {
            throw new ImageFormatException($"JPEG: SOF segment is {s.Length} bytes; expected {6 + (3 * count)} for {count} components.");
        }

        _limits.Check(width, height, "JPEG");
        var components = new JpegComponent[count];
        for (int i = 0; i < count; i++)
        {
            ReadOnlySpan<byte> c = s.Slice(6 + (3 * i), 3);
            int h = c[1] >> 4, v = c[1] & 15;
            if (h is < 1 or > 4 || v is < 1 or > 4 || c[2] > 3)
            {
                throw new ImageFormatException($"JPEG: component {c[0]} has sampling {h}x{v} / quantisation table {c[2]}; expected factors 1..4 and table 0..3.");
            }

            components[i] = new JpegComponent(c[0], h, v, c[2]);
        }

        foreach (JpegComponent c in components)
        {
            if (components.Max(x => x.H) % c.H != 0 || components.Max(x => x.V) % c.V != 0)
            {
                throw new ImageFormatException("JPEG: fractional chroma sampling ratios are unsupported; expected integral factors.");
            }
        }

        _frame = new JpegFrame(width, height, progressive, components);
    }

    private void ReadHuffmanTables(ReadOnlySpan<byte> s)
    {
        while (s.Length > 0)
        {
            if (s.Length < 17)
            {
                throw new ImageFormatException("JPEG: DHT segment truncated.");
            }

            int tableClass = s[0] >> 4, id = s[0] & 15;
            if (tableClass > 1 || id > 3)
            {
                throw new ImageFormatException($"JPEG: Huffman table class {tableClass} / id {id}; expected class 0 or 1 and id 0..3.");
            }

            ReadOnlySpan<byte> counts = s.Slice(1, 16);
            int total = 0;
            foreach (byte n in counts)
            {
                total += n;
            }

            if (total > 256 || s.Length < 17 + total)
            {
                throw new ImageFormatException($"JPEG: Huffman table declares {total} symbols; expected at most 256 within the segment.");
            }

            HuffmanTable table = HuffmanTable.Build(counts, s.Slice(17, total));
            (tableClass == 0 ? _dcTables : _acTables)[id] = table;
            s = s[(17 + total)..];
        }
    }

    private void ReadQuantTables(ReadOnlySpan<byte> s)
    {
        while (s.Length > 0)
        {
            int precision = s[0] >> 4, id = s[0] & 15;
            int size = precision == 0 ? 64 : 128;
            if (precision > 1 || id > 3 || s.Length < 1 + size)
            {
                throw new ImageFormatException($"JPEG: malformed DQT (precision {precision}, id {id}, {s.Length - 1} bytes left); expected precision 0/1 and id 0..3.");
            }

            var table = new ushort[64];
            for (int k = 0; k < 64; k++)
            {
                // Stored in zig-zag order; kept in natural order for the IDCT.
                table[ZigZag.Natural[k]] = precision == 0 ? s[1 + k] : BinaryPrimitives.ReadUInt16BigEndian(s[(1 + (2 * k))..]);
            }

            _quantTables[id] = table;
            s = s[(1 + size)..];
        }
    }

    private void ReadRestartInterval(ReadOnlySpan<byte> s)
    {
        if (s.Length != 2)
        {
            throw new ImageFormatException($"JPEG: DRI segment is {s.Length} bytes; expected 2.");
        }

        _restartInterval = BinaryPrimitives.ReadUInt16BigEndian(s);
    }

    private void ReadAdobe(ReadOnlySpan<byte> s)
    {
        if (s.Length >= 12 && s.StartsWith("Adobe"u8))
        {
            _adobeTransform = s[11];
        }
    }

    /// <summary>Parses an SOS header, decodes its entropy-coded data, and returns the offset just past it.</summary>
    private int ReadScan(ReadOnlySpan<byte> s, int dataStart)
    {
        JpegFrame frame = _frame ?? throw new ImageFormatException("JPEG: SOS before any frame header (SOF).");
        int count = s.Length > 0 ? s[0] : 0;
        if (count is < 1 or > 4 || s.Length != 4 + (2 * count))
        {
            throw new ImageFormatException($"JPEG: malformed SOS header ({count} components, {s.Length} bytes).");
        }

        var components = new JpegComponent[count];
        int blocksPerMcu = 0;
        for (int i = 0; i < count; i++)
        {
            int id = s[1 + (2 * i)];
            JpegComponent c = Array.Find(frame.Components, x => x.Id == id)
                ?? throw new ImageFormatException($"JPEG: scan refers to component {id}, which the frame does not define.");
            if (Array.IndexOf(components, c) >= 0)
            {
                throw new ImageFormatException($"JPEG: scan lists component {id} twice.");
            }

            int dcId = s[2 + (2 * i)] >> 4, acId = s[2 + (2 * i)] & 15;
            if (dcId > 3 || acId > 3)
            {
                throw new ImageFormatException($"JPEG: scan selects Huffman tables {dcId}/{acId} for component {id}; expected ids 0..3.");
            }

            c.DcTable = _dcTables[dcId];
            c.AcTable = _acTables[acId];
            c.Quant ??= _quantTables[c.QuantTableIndex]
                ?? throw new ImageFormatException($"JPEG: quantisation table {c.QuantTableIndex} used by component {id} is not defined.");
            components[i] = c;
            blocksPerMcu += c.H * c.V;
        }

        if (count > 1 && blocksPerMcu > 10)
        {
            throw new ImageFormatException($"JPEG: interleaved MCU of {blocksPerMcu} blocks; at most 10 are allowed.");
        }

        int ss = s[1 + (2 * count)], se = s[2 + (2 * count)], ah = s[3 + (2 * count)] >> 4, al = s[3 + (2 * count)] & 15;
        if (frame.Progressive)
        {
            ValidateProgressive(ss, se, ah, al, count);
        }
        else
        {
            // Sequential scans carry all coefficients at full precision whatever the header says.
            (ss, se, ah, al) = (0, 63, 0, 0);
        }

        foreach (JpegComponent c in components)
        {
            bool needsDc = ss == 0 && ah == 0;
            bool needsAc = !frame.Progressive || ss > 0;
            if ((needsDc && c.DcTable is null) || (needsAc && c.AcTable is null))
            {
                throw new ImageFormatException($"JPEG: scan uses a Huffman table that was never defined (component {c.Id}).");
            }
        }

        var reader = new BitReader(_data, _length, dataStart);
        new ScanDecoder(frame, components, reader, ss, se, ah, al).Decode(_restartInterval);
        reader.ThrowIfOverrun();
        _scanCount++;
        return reader.Position;
    }

    private static void ValidateProgressive(int ss, int se, int ah, int al, int count)
    {
        bool valid = ss == 0 ? se == 0 : ss <= se && se <= 63 && count == 1;
        valid &= ah == 0 || al == ah - 1;
        valid &= al <= 13;
        if (!valid)
        {
            throw new ImageFormatException($"JPEG: invalid progressive scan parameters Ss={ss} Se={se} Ah={ah} Al={al} for {count} component(s).");
        }
    }

    private RgbImage Finish()
    {
        JpegFrame frame = _frame ?? throw new ImageFormatException("JPEG: EOI before any frame header (SOF).");
        if (_scanCount == 0)
        {
            throw new ImageFormatException("JPEG: no scan (SOS) before EOI.");
        }

        foreach (JpegComponent c in frame.Components)
        {
            if (c.Quant is null)
            {
                throw new ImageFormatException($"JPEG: component {c.Id} never appears in a scan.");
            }
        }

        return JpegOutput.ToRgb(frame, IsRgb(frame));
    }

    /// <summary>libjpeg's colour space guess for three components: JFIF or Adobe transform ≠ 0 means YCbCr; Adobe 0 or ids 'R','G','B' mean RGB.</summary>
    private bool IsRgb(JpegFrame frame)
    {
        if (frame.Components.Length != 3 || _sawJfif)
        {
            return false;
        }

        if (_adobeTransform >= 0)
        {
            return _adobeTransform == 0;
        }

        return frame.Components[0].Id == 'R' && frame.Components[1].Id == 'G' && frame.Components[2].Id == 'B';
    }
}

using System.Numerics;
using System.Runtime.CompilerServices;

namespace CrossVit.Imaging.Jpeg;

/// <summary>Huffman-decodes one scan (baseline, or one progressive DC/AC first/refinement pass) into coefficients.</summary>
internal sealed class ScanDecoder
{
    private readonly JpegFrame _frame;
    private readonly JpegComponent[] _components;
    private readonly BitReader _reader;
    private readonly int _ss, _se, _ah, _al;
    private int _eobRun;

    public ScanDecoder(JpegFrame frame, JpegComponent[] components, BitReader reader, int ss, int se, int ah, int al)
    {
        _frame = frame;
        _components = components;
        _reader = reader;
        (_ss, _se, _ah, _al) = (ss, se, ah, al);
    }

    public void Decode(int restartInterval)
    {
        JpegComponent single = _components[0];
        bool interleaved = _components.Length > 1;
        int mcusPerLine = interleaved ? _frame.McusPerLine : single.WidthInBlocks;
        long mcuCount = interleaved ? (long)_frame.McusPerLine * _frame.McusPerColumn : (long)single.WidthInBlocks * single.HeightInBlocks;
        ResetPredictors();
        int nextRestart = 0;
        for (long mcu = 0; mcu < mcuCount; mcu++)
        {
            if (restartInterval > 0 && mcu > 0 && mcu % restartInterval == 0)
            {
                _reader.ReadRestartMarker(nextRestart);
                nextRestart = (nextRestart + 1) & 7;
                ResetPredictors();
            }

            int mcuX = (int)(mcu % mcusPerLine);
            int mcuY = (int)(mcu / mcusPerLine);
            if (interleaved)
            {
                foreach (JpegComponent c in _components)
                {
                    for (int v = 0; v < c.V; v++)
                    {
                        for (int h = 0; h < c.H; h++)
                        {
                            DecodeBlock(c, ((((long)mcuY * c.V) + v) * c.BlocksPerLine) + ((long)mcuX * c.H) + h);
                        }
                    }
                }
            }
            else
            {
                DecodeBlock(single, ((long)mcuY * single.BlocksPerLine) + mcuX);
            }

            _reader.ThrowIfOverrun();
        }
    }

    private void ResetPredictors()
    {
        foreach (JpegComponent c in _components)
        {
            c.DcPredictor = 0;
        }

        _eobRun = 0;
    }

    private void DecodeBlock(JpegComponent c, long blockIndex)
    {
        Span<short> block = c.Coefficients.AsSpan((int)(blockIndex * 64), 64);
        if (!_frame.Progressive)
        {
            DecodeDcFirst(c, block);
            DecodeAcFirst(c, block, ref Unsafe.NullRef<ulong>());
        }
        else if (_ss == 0)
        {
            if (_ah == 0)
            {
                DecodeDcFirst(c, block);
            }
            else if (_reader.ReadBit() != 0)
            {
                block[0] |= (short)(1 << _al);
            }
        }
        else if (_ah == 0)
        {
            DecodeAcFirst(c, block, ref c.NonZero[blockIndex]);
        }
        else
        {
            DecodeAcRefine(c, block, ref c.NonZero[blockIndex]);
        }
    }

    private void DecodeDcFirst(JpegComponent c, Span<short> block)
    {
        int category = c.DcTable!.Decode(_reader);
        if (category > 15)
        {
            throw new ImageFormatException($"JPEG: DC magnitude category {category} is invalid; expected at most 15.");
        }

        c.DcPredictor += _reader.ReadSigned(category);
        block[0] = (short)(c.DcPredictor << _al);
    }

    /// <summary>
    /// Baseline AC coefficients, or a progressive first AC pass over the band Ss..Se (with end-of-band runs), which
    /// also records in <paramref name="nonZero"/> which coefficients it made non-zero (a null reference in baseline).
    /// </summary>
    private void DecodeAcFirst(JpegComponent c, Span<short> block, ref ulong nonZero)
    {
        if (_eobRun > 0)
        {
            _eobRun--;
            return;
        }

        HuffmanTable table = c.AcTable!;
        int end = _frame.Progressive ? _se : 63;
        for (int k = _frame.Progressive ? _ss : 1; k <= end; k++)
        {
            int fast = table.PeekAcValue(_reader);
            if (fast != 0)
            {
                _reader.Skip(fast & 0xFF);
                k += (fast >> 8) & 15;
                Store(block, k, (short)((fast >> 16) << _al), ref nonZero);
                continue;
            }

            int rs = table.Decode(_reader);
            int run = rs >> 4;
            int size = rs & 15;
            if (size != 0)
            {
                k += run;
                Store(block, k, (short)(_reader.ReadSigned(size) << _al), ref nonZero);
            }
            else if (run == 15)
            {
                k += 15;
            }
            else
            {
                if (_frame.Progressive)
                {
                    _eobRun = (1 << run) - 1 + _reader.ReadBits(run);
                }

                break;
            }
        }
    }

    /// <summary>Writes zig-zag coefficient <paramref name="k"/> and, in a progressive frame, its bit of the block's non-zero map.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Store(Span<short> block, int k, short value, ref ulong nonZero)
    {
        block[ZigZag.Natural[k]] = value;
        if (!Unsafe.IsNullRef(ref nonZero))
        {
            // Past 63 (corrupt runs) ZigZag.Natural writes coefficient 63, and so does the map.
            ulong bit = 1UL << Math.Min(k, 63);
            nonZero = value != 0 ? nonZero | bit : nonZero & ~bit;
        }
    }

    /// <summary>
    /// Progressive AC refinement: one more bit for known coefficients, plus newly non-zero ±1 values. The block's
    /// non-zero map says which coefficients are known, so the zero runs are counted on it rather than one by one.
    /// </summary>
    private void DecodeAcRefine(JpegComponent c, Span<short> block, ref ulong nonZero)
    {
        int plus = 1 << _al;
        int minus = -1 << _al;
        int k = _ss;
        if (_eobRun == 0)
        {
            HuffmanTable table = c.AcTable!;
            for (; k <= _se; k++)
            {
                int run, value = 0;
                int fast = table.PeekAcValue(_reader);
                if (fast != 0 && Math.Abs(fast >> 16) == 1)
                {
                    // A size-1 symbol and its sign bit in one lookup (EXTEND of one bit is the sign).
                    _reader.Skip(fast & 0xFF);
                    run = (fast >> 8) & 15;
                    value = (fast >> 16) << _al;
                }
                else
                {
                    int rs = table.Decode(_reader);
                    run = rs >> 4;
                    if ((rs & 15) != 0)
                    {
                        value = _reader.ReadBit() != 0 ? plus : minus;
                    }
                    else if (run != 15)
                    {
                        _eobRun = (1 << run) + _reader.ReadBits(run);
                        break;
                    }
                }

                // Skip `run` zero coefficients, refining the known ones passed on the way: stop at the band's
                // (run + 1)-th zero from k, or past its end when it has fewer.
                ulong zeros = ~nonZero & Band(k, _se);
                for (; run > 0 && zeros != 0; run--)
                {
                    zeros &= zeros - 1;
                }

                int stop = zeros != 0 ? BitOperations.TrailingZeroCount(zeros) : _se + 1;
                RefineKnown(block, nonZero & Band(k, stop - 1), plus, minus);
                k = stop;
                if (value != 0)
                {
                    Store(block, k, (short)value, ref nonZero);
                }
            }
        }

        if (_eobRun > 0)
        {
            // Within an end-of-band run only the known coefficients take a bit.
            RefineKnown(block, nonZero & Band(k, _se), plus, minus);
            _eobRun--;
        }
    }

    /// <summary>Zig-zag positions <paramref name="from"/>..<paramref name="to"/> as a mask; empty when from &gt; to.</summary>
    private static ulong Band(int from, int to) => from > to ? 0 : (ulong.MaxValue << from) & (ulong.MaxValue >> (63 - to));

    /// <summary>Refines the coefficients of <paramref name="known"/>, a mask of zig-zag positions, in zig-zag order.</summary>
    private void RefineKnown(Span<short> block, ulong known, int plus, int minus)
    {
        for (; known != 0; known &= known - 1)
        {
            RefineCoefficient(ref block[ZigZag.Natural[BitOperations.TrailingZeroCount(known)]], plus, minus);
        }
    }

    private void RefineCoefficient(ref short coef, int plus, int minus)
    {
        if (_reader.ReadBit() != 0 && (coef & plus) == 0)
        {
            coef += (short)(coef >= 0 ? plus : minus);
        }
    }
}

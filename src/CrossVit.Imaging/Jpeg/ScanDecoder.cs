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
            DecodeAcFirst(c, block);
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
            DecodeAcFirst(c, block);
        }
        else
        {
            DecodeAcRefine(c, block);
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

    /// <summary>Baseline AC coefficients, or a progressive first AC pass over the band Ss..Se (with end-of-band runs).</summary>
    private void DecodeAcFirst(JpegComponent c, Span<short> block)
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
            int rs = table.Decode(_reader);
            int run = rs >> 4;
            int size = rs & 15;
            if (size != 0)
            {
                k += run;
                block[ZigZag.Natural[k]] = (short)(_reader.ReadSigned(size) << _al);
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

    /// <summary>Progressive AC refinement: one more bit for known coefficients, plus newly non-zero ±1 values.</summary>
    private void DecodeAcRefine(JpegComponent c, Span<short> block)
    {
        int plus = 1 << _al;
        int minus = -1 << _al;
        int k = _ss;
        if (_eobRun == 0)
        {
            HuffmanTable table = c.AcTable!;
            for (; k <= _se; k++)
            {
                int rs = table.Decode(_reader);
                int run = rs >> 4;
                int value = 0;
                if ((rs & 15) != 0)
                {
                    value = _reader.ReadBit() != 0 ? plus : minus;
                }
                else if (run != 15)
                {
                    _eobRun = (1 << run) + _reader.ReadBits(run);
                    break;
                }

                // Skip `run` zero coefficients, refining the non-zero ones passed on the way.
                for (; k <= _se; k++)
                {
                    ref short coef = ref block[ZigZag.Natural[k]];
                    if (coef != 0)
                    {
                        RefineCoefficient(ref coef, plus, minus);
                    }
                    else if (--run < 0)
                    {
                        break;
                    }
                }

                if (value != 0)
                {
                    block[ZigZag.Natural[k]] = (short)value;
                }
            }
        }

        if (_eobRun > 0)
        {
            for (; k <= _se; k++)
            {
                ref short coef = ref block[ZigZag.Natural[k]];
                if (coef != 0)
                {
                    RefineCoefficient(ref coef, plus, minus);
                }
            }

            _eobRun--;
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

using System.Buffers;

namespace CrossVit.Imaging.Jpeg;

/// <summary>One colour component of a frame and its decoded DCT coefficients.</summary>
internal sealed class JpegComponent(int id, int h, int v, int quantTableIndex)
{
    public int Id { get; } = id;

    public int H { get; } = h;

    public int V { get; } = v;

    public int QuantTableIndex { get; } = quantTableIndex;

    /// <summary>Samples per line after downsampling: <c>ceil(width * H / maxH)</c>.</summary>
    public int DownsampledWidth { get; private set; }

    public int DownsampledHeight { get; private set; }

    /// <summary>Blocks that hold image samples horizontally; a non-interleaved scan codes exactly these.</summary>
    public int WidthInBlocks { get; private set; }

    public int HeightInBlocks { get; private set; }

    /// <summary>Blocks per line including the padding of the last MCU column.</summary>
    public int BlocksPerLine { get; private set; }

    public int BlocksPerColumn { get; private set; }

    /// <summary>
    /// 64 coefficients per block in natural (row-major) order, blocks row-major; rented from the shared pool (and
    /// possibly longer than the blocks need) until <see cref="ReturnCoefficients"/>.
    /// </summary>
    public short[] Coefficients { get; private set; } = [];

    /// <summary>
    /// Per block of a progressive frame, bit k set while AC coefficient k (zig-zag order) is non-zero, so that a
    /// refinement scan visits only those; pooled like the coefficients, and empty for a baseline frame.
    /// </summary>
    public ulong[] NonZero { get; private set; } = [];

    /// <summary>Quantisation table in natural order, latched when the component first appears in a scan (as libjpeg does).</summary>
    public ushort[]? Quant { get; set; }

    /// <summary>Last DC value of the current scan, for DC prediction.</summary>
    public int DcPredictor { get; set; }

    public HuffmanTable? DcTable { get; set; }

    public HuffmanTable? AcTable { get; set; }

    public void Allocate(int width, int height, int maxH, int maxV, int mcusPerLine, int mcusPerColumn, bool progressive)
    {
        DownsampledWidth = (int)(((long)width * H + maxH - 1) / maxH);
        DownsampledHeight = (int)(((long)height * V + maxV - 1) / maxV);
        WidthInBlocks = (DownsampledWidth + 7) / 8;
        HeightInBlocks = (DownsampledHeight + 7) / 8;
        BlocksPerLine = mcusPerLine * H;
        BlocksPerColumn = mcusPerColumn * V;
        // Pooled: a megapixel's coefficients are megabytes, which fresh from the OS cost a page fault every 4 KB.
        int count = checked(BlocksPerLine * BlocksPerColumn * 64);   // within int: DecodeLimits bounds the pixels
        Coefficients = ArrayPool<short>.Shared.Rent(count);
        Coefficients.AsSpan(0, count).Clear();
        if (progressive)
        {
            NonZero = ArrayPool<ulong>.Shared.Rent(count / 64);
            NonZero.AsSpan(0, count / 64).Clear();
        }
    }

    /// <summary>Gives the coefficients (and non-zero maps) back to the pool; the component holds none afterwards.</summary>
    public void ReturnCoefficients()
    {
        if (Coefficients.Length > 0) ArrayPool<short>.Shared.Return(Coefficients);
        if (NonZero.Length > 0) ArrayPool<ulong>.Shared.Return(NonZero);
        Coefficients = [];
        NonZero = [];
    }
}

/// <summary>The SOF header: image size, coding process and components.</summary>
internal sealed class JpegFrame
{
    public JpegFrame(int width, int height, bool progressive, JpegComponent[] components)
    {
        Width = width;
        Height = height;
        Progressive = progressive;
        Components = components;
        MaxH = components.Max(c => c.H);
        MaxV = components.Max(c => c.V);
        McusPerLine = (width + (8 * MaxH) - 1) / (8 * MaxH);
        McusPerColumn = (height + (8 * MaxV) - 1) / (8 * MaxV);
        foreach (JpegComponent c in components)
        {
            c.Allocate(width, height, MaxH, MaxV, McusPerLine, McusPerColumn, progressive);
        }
    }

    public int Width { get; }

    public int Height { get; }

    public bool Progressive { get; }

    public JpegComponent[] Components { get; }

    public int MaxH { get; }

    public int MaxV { get; }

    public int McusPerLine { get; }

    public int McusPerColumn { get; }
}

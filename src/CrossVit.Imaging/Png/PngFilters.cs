namespace CrossVit.Imaging.Png;

/// <summary>Reverses the five PNG scanline filters in place.</summary>
internal static class PngFilters
{
    /// <summary>Unfilters <paramref name="row"/> using the already unfiltered <paramref name="previous"/> row (all zeros for a pass's first row).</summary>
    /// <param name="filter">Filter type byte that prefixed the scanline.</param>
    /// <param name="row">Filtered bytes, replaced by the reconstructed bytes.</param>
    /// <param name="previous">Reconstructed previous row of the same pass, same length as <paramref name="row"/>.</param>
    /// <param name="bytesPerPixel">Bytes per complete pixel, at least 1.</param>
    public static void Unfilter(int filter, Span<byte> row, ReadOnlySpan<byte> previous, int bytesPerPixel)
    {
        int n = row.Length;
        int bpp = bytesPerPixel;
        switch (filter)
        {
            case 0:
                break;
            case 1:
                for (int i = bpp; i < n; i++)
                {
                    row[i] += row[i - bpp];
                }

                break;
            case 2:
                for (int i = 0; i < n; i++)
                {
                    row[i] += previous[i];
                }

                break;
            case 3:
                for (int i = 0; i < n; i++)
                {
                    int left = i >= bpp ? row[i - bpp] : 0;
                    row[i] += (byte)((left + previous[i]) >> 1);
                }

                break;
            case 4:
                for (int i = 0; i < n; i++)
                {
                    int left = i >= bpp ? row[i - bpp] : 0;
                    int upLeft = i >= bpp ? previous[i - bpp] : 0;
                    row[i] += Paeth(left, previous[i], upLeft);
                }

                break;
            default:
                throw new ImageFormatException($"PNG: invalid scanline filter type {filter}; expected 0 (None) to 4 (Paeth).");
        }
    }

    /// <summary>The predictor closest to <c>left + up - upLeft</c>, ties broken left, up, upLeft.</summary>
    private static byte Paeth(int left, int up, int upLeft)
    {
        int p = left + up - upLeft;
        int pa = Math.Abs(p - left);
        int pb = Math.Abs(p - up);
        int pc = Math.Abs(p - upLeft);
        if (pa <= pb && pa <= pc)
        {
            return (byte)left;
        }

        return pb <= pc ? (byte)up : (byte)upLeft;
    }
}

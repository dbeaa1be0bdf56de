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
        int bpp = Math.Min(bytesPerPixel, n);

        // The first pixel has no left neighbour (left and up-left read as 0), so each filter splits into that pixel and
        // the rest, whose loops then run without a branch per byte.
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
                for (int i = 0; i < bpp; i++)
                {
                    row[i] += (byte)(previous[i] >> 1);
                }

                for (int i = bpp; i < n; i++)
                {
                    row[i] += (byte)((row[i - bpp] + previous[i]) >> 1);
                }

                break;
            case 4:
                // Paeth of (0, up, 0) is up.
                for (int i = 0; i < bpp; i++)
                {
                    row[i] += previous[i];
                }

                for (int i = bpp; i < n; i++)
                {
                    row[i] += Paeth(row[i - bpp], previous[i], previous[i - bpp]);
                }

                break;
            default:
                throw new ImageFormatException($"PNG: invalid scanline filter type {filter}; expected 0 (None) to 4 (Paeth).");
        }
    }

    /// <summary>
    /// The predictor closest to <c>p = left + up - upLeft</c>, ties broken left, up, upLeft. The distances are written
    /// without p (|p − left| = |up − upLeft|, and so on), and the choice with masks rather than branches, which a
    /// photograph's rows mispredict.
    /// </summary>
    private static byte Paeth(int left, int up, int upLeft)
    {
        int pa = Math.Abs(up - upLeft);
        int pb = Math.Abs(left - upLeft);
        int pc = Math.Abs(left + up - upLeft - upLeft);
        int notUp = (pc - pb) >> 31;               // all ones where pc < pb: upLeft beats up
        int upOrUpLeft = up ^ ((up ^ upLeft) & notUp);
        int notLeft = ((pb - pa) | (pc - pa)) >> 31;   // all ones where pb < pa or pc < pa
        return (byte)(left ^ ((left ^ upOrUpLeft) & notLeft));
    }
}

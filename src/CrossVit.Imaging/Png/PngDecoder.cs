using System.Buffers;
using System.Buffers.Binary;
using System.IO.Compression;

namespace CrossVit.Imaging.Png;

/// <summary>PNG decoding: chunk parsing with CRC checks, zlib inflation, unfiltering, Adam7 and conversion to RGB.</summary>
internal static class PngDecoder
{
    private static ReadOnlySpan<byte> Signature => [0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A];

    public static bool IsPng(ReadOnlySpan<byte> data) => data.StartsWith(Signature);

    public static RgbImage Decode(ReadOnlySpan<byte> data, DecodeLimits limits)
    {
        PngHeader? header = null;
        byte[]? palette = null;
        // The IDAT chunks' bytes joined, in one pooled buffer the file's size (they are part of it): a growing stream
        // would copy them each time it doubled, into fresh pages.
        byte[] compressed = ArrayPool<byte>.Shared.Rent(data.Length);
        int compressedLength = 0;
        try
        {
            int pos = Signature.Length;
            bool ended = false;
            while (!ended)
            {
                if (data.Length - pos < 12)
                {
                    throw new ImageFormatException($"PNG: truncated at byte {pos}; expected another chunk (the stream must end with IEND).");
                }

                uint length = BinaryPrimitives.ReadUInt32BigEndian(data[pos..]);
                if (length > (uint)(data.Length - pos - 12))
                {
                    throw new ImageFormatException($"PNG: chunk at byte {pos} declares {length} data bytes but only {data.Length - pos - 12} remain; the file is truncated.");
                }

                ReadOnlySpan<byte> type = data.Slice(pos + 4, 4);
                ReadOnlySpan<byte> body = data.Slice(pos + 8, (int)length);
                string name = ChunkName(type);
                uint stored = BinaryPrimitives.ReadUInt32BigEndian(data[(pos + 8 + (int)length)..]);
                uint computed = Crc32.Compute(data.Slice(pos + 4, 4 + (int)length));
                if (stored != computed)
                {
                    throw new ImageFormatException($"PNG: CRC mismatch in chunk '{name}' at byte {pos}: stored 0x{stored:X8}, computed 0x{computed:X8}.");
                }

                pos += 12 + (int)length;
                if (header is null && name != "IHDR")
                {
                    throw new ImageFormatException($"PNG: first chunk is '{name}'; expected IHDR.");
                }

                switch (name)
                {
                    case "IHDR" when header is not null:
                        throw new ImageFormatException("PNG: duplicate IHDR chunk.");
                    case "IHDR":
                        header = PngHeader.Parse(body, limits);
                        break;
                    case "PLTE":
                        palette = ReadPalette(body);
                        break;
                    case "IDAT":
                        body.CopyTo(compressed.AsSpan(compressedLength));
                        compressedLength += body.Length;
                        break;
                    case "IEND":
                        ended = true;
                        break;
                    default:
                        // Ancillary and unknown chunks (tRNS, gAMA, iCCP, text...) do not affect PIL's convert('RGB').
                        break;
                }
            }

            if (compressedLength == 0)
            {
                throw new ImageFormatException("PNG: no IDAT chunk; expected at least one before IEND.");
            }

            if (header!.ColorType == 3 && palette is null)
            {
                throw new ImageFormatException("PNG: palette image without a PLTE chunk.");
            }

            using var stream = new MemoryStream(compressed, 0, compressedLength, writable: false);
            return DecodePixels(header, palette, stream);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(compressed);
        }
    }

    private static RgbImage DecodePixels(PngHeader header, byte[]? palette, Stream compressed)
    {
        var pixels = new byte[(long)header.Width * header.Height * 3];
        try
        {
            using var inflater = new ZLibStream(compressed, CompressionMode.Decompress);
            if (header.Interlaced)
            {
                foreach (var (x, y, stepX, stepY) in Adam7.Passes)
                {
                    int width = Adam7.PassExtent(header.Width, x, stepX);
                    int height = Adam7.PassExtent(header.Height, y, stepY);
                    if (width > 0 && height > 0)
                    {
                        DecodePass(inflater, header, palette, pixels, new PassGeometry(width, height, x, y, stepX, stepY));
                    }
                }
            }
            else
            {
                DecodePass(inflater, header, palette, pixels, new PassGeometry(header.Width, header.Height, 0, 0, 1, 1));
            }
        }
        catch (InvalidDataException e)
        {
            throw new ImageFormatException($"PNG: corrupt zlib stream in IDAT: {e.Message}", e);
        }

        return new RgbImage(header.Width, header.Height, pixels);
    }

    private static void DecodePass(Stream inflater, PngHeader header, byte[]? palette, byte[] pixels, PassGeometry pass)
    {
        int rowBytes = header.RowBytes(pass.Width);
        int bpp = header.FilterBytesPerPixel;
        // Each scanline is read after its filter-type byte; the two buffers swap, so the row just decoded is the
        // next one's previous row without a copy.
        var current = new byte[rowBytes + 1];
        var previous = new byte[rowBytes + 1];
        var rgb = pass.StepX == 1 ? [] : new byte[pass.Width * 3];
        for (int row = 0; row < pass.Height; row++)
        {
            if (inflater.ReadAtLeast(current, current.Length, throwOnEndOfStream: false) < current.Length)
            {
                throw new ImageFormatException("PNG: image data ends early; IDAT holds fewer scanlines than IHDR declares.");
            }

            Span<byte> line = current.AsSpan(1);
            PngFilters.Unfilter(current[0], line, previous.AsSpan(1), bpp);
            int y = pass.Y + (row * pass.StepY);
            long rowStart = (long)y * header.Width * 3;
            if (pass.StepX == 1)
            {
                PngRowConverter.ToRgb(line, pass.Width, header, palette, pixels.AsSpan((int)rowStart, pass.Width * 3));
            }
            else
            {
                PngRowConverter.ToRgb(line, pass.Width, header, palette, rgb);
                for (int i = 0; i < pass.Width; i++)
                {
                    long dst = rowStart + ((pass.X + ((long)i * pass.StepX)) * 3);
                    pixels[dst] = rgb[3 * i];
                    pixels[dst + 1] = rgb[(3 * i) + 1];
                    pixels[dst + 2] = rgb[(3 * i) + 2];
                }
            }

            (current, previous) = (previous, current);
        }
    }

    private static byte[] ReadPalette(ReadOnlySpan<byte> body)
    {
        if (body.Length == 0 || body.Length % 3 != 0 || body.Length > 768)
        {
            throw new ImageFormatException($"PNG: PLTE is {body.Length} bytes; expected a non-zero multiple of 3 up to 768.");
        }

        // Indices past the last entry are an error per the PNG spec; we stay lenient and read them as black.
        var palette = new byte[768];
        body.CopyTo(palette);
        return palette;
    }

    private static string ChunkName(ReadOnlySpan<byte> type)
    {
        foreach (byte b in type)
        {
            if (!char.IsAsciiLetter((char)b))
            {
                throw new ImageFormatException($"PNG: invalid chunk type bytes {Convert.ToHexString(type)}; expected four ASCII letters.");
            }
        }

        return System.Text.Encoding.ASCII.GetString(type);
    }

    private readonly record struct PassGeometry(int Width, int Height, int X, int Y, int StepX, int StepY);
}

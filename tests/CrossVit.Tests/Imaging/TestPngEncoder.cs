using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;

namespace CrossVit.Tests.Imaging;

/// <summary>A deliberately simple PNG writer for tests: any colour type and depth, every filter, optional Adam7.</summary>
internal static class TestPngEncoder
{
    private static readonly (int X, int Y, int DX, int DY)[] Passes =
        [(0, 0, 8, 8), (4, 0, 8, 8), (0, 4, 4, 8), (2, 0, 4, 4), (0, 2, 2, 4), (1, 0, 2, 2), (0, 1, 1, 2)];

    public static int Channels(int colorType) => colorType switch { 0 or 3 => 1, 2 => 3, 4 => 2, _ => 4 };

    /// <summary>Encodes <paramref name="samples"/> (row-major, <c>Channels</c> per pixel, each below 2^depth).</summary>
    public static byte[] Encode(int width, int height, int colorType, int depth, int[] samples, bool interlace, byte[]? palette = null)
    {
        int channels = Channels(colorType);
        using var raw = new MemoryStream();
        int filterCounter = 0;
        foreach (var (px, py, dx, dy) in interlace ? Passes : [(0, 0, 1, 1)])
        {
            int pw = width > px ? (width - px + dx - 1) / dx : 0;
            int ph = height > py ? (height - py + dy - 1) / dy : 0;
            if (pw == 0 || ph == 0)
            {
                continue;
            }

            byte[] previous = new byte[((pw * channels * depth) + 7) / 8];
            for (int r = 0; r < ph; r++)
            {
                byte[] row = PackRow(samples, width, py + (r * dy), px, dx, pw, channels, depth);
                int filter = filterCounter++ % 5;
                raw.WriteByte((byte)filter);
                raw.Write(Filter(filter, row, previous, Math.Max(1, channels * depth / 8)));
                previous = row;
            }
        }

        using var png = new MemoryStream();
        png.Write([0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A]);
        var ihdr = new byte[13];
        BinaryPrimitives.WriteUInt32BigEndian(ihdr, (uint)width);
        BinaryPrimitives.WriteUInt32BigEndian(ihdr.AsSpan(4), (uint)height);
        ihdr[8] = (byte)depth;
        ihdr[9] = (byte)colorType;
        ihdr[12] = (byte)(interlace ? 1 : 0);
        WriteChunk(png, "IHDR", ihdr);
        if (palette is not null)
        {
            WriteChunk(png, "PLTE", palette);
        }

        byte[] compressed = Compress(raw.ToArray());

        // Split IDAT in two to exercise concatenation.
        WriteChunk(png, "IDAT", compressed[..(compressed.Length / 2)]);
        WriteChunk(png, "IDAT", compressed[(compressed.Length / 2)..]);
        WriteChunk(png, "IEND", []);
        return png.ToArray();
    }

    public static void WriteChunk(Stream s, string type, byte[] body)
    {
        var header = new byte[8];
        BinaryPrimitives.WriteUInt32BigEndian(header, (uint)body.Length);
        Encoding.ASCII.GetBytes(type, header.AsSpan(4));
        s.Write(header);
        s.Write(body);
        var crc = new byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(crc, Crc([.. header[4..], .. body]));
        s.Write(crc);
    }

    public static uint Crc(byte[] data)
    {
        uint c = 0xFFFFFFFF;
        foreach (byte b in data)
        {
            c ^= b;
            for (int k = 0; k < 8; k++)
            {
                c = (c >> 1) ^ (0xEDB88320 & (uint)-(int)(c & 1));
            }
        }

        return ~c;
    }

    private static byte[] Compress(byte[] raw)
    {
        using var output = new MemoryStream();
        using (var z = new ZLibStream(output, CompressionLevel.Fastest, leaveOpen: true))
        {
            z.Write(raw);
        }

        return output.ToArray();
    }

    private static byte[] PackRow(int[] samples, int width, int y, int px, int dx, int pw, int channels, int depth)
    {
        var row = new byte[((pw * channels * depth) + 7) / 8];
        int bit = 0;
        for (int i = 0; i < pw; i++)
        {
            for (int c = 0; c < channels; c++)
            {
                int v = samples[(((y * width) + px + (i * dx)) * channels) + c];
                if (depth == 16)
                {
                    row[bit / 8] = (byte)(v >> 8);
                    row[(bit / 8) + 1] = (byte)v;
                }
                else
                {
                    row[bit / 8] |= (byte)(v << (8 - depth - (bit % 8)));
                }

                bit += depth;
            }
        }

        return row;
    }

    private static byte[] Filter(int filter, byte[] row, byte[] prev, int bpp)
    {
        var output = new byte[row.Length];
        for (int i = 0; i < row.Length; i++)
        {
            int a = i >= bpp ? row[i - bpp] : 0, b = prev[i], c = i >= bpp ? prev[i - bpp] : 0;
            int predictor = filter switch
            {
                0 => 0,
                1 => a,
                2 => b,
                3 => (a + b) / 2,
                _ => Paeth(a, b, c),
            };
            output[i] = (byte)(row[i] - predictor);
        }

        return output;
    }

    private static int Paeth(int a, int b, int c)
    {
        int p = a + b - c, pa = Math.Abs(p - a), pb = Math.Abs(p - b), pc = Math.Abs(p - c);
        return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
    }
}

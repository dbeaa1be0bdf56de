using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;
using CrossVit.Tests.Imaging;
using FsCheck;
using FsCheck.Fluent;

namespace CrossVit.Tests.Fuzzing;

/// <summary>
/// Files built from scratch with the right structure and wrong values: the shapes of input that mutating a valid
/// file rarely reaches (a consistent header declaring absurd sizes, unusual dtypes, counts and versions).
/// </summary>
internal static class Generators
{
    private static Gen<byte[]> Bytes(int max) => Gen.Choose(0, max).SelectMany(n => Gen.ArrayOf(Gen.Choose(0, 255).Select(b => (byte)b), n));

    private static Gen<uint> U32() => Mutator.FieldNumber().Select(v => (uint)v);

    private static Gen<ushort> U16() => Mutator.FieldNumber().Select(v => (ushort)v);

    private static Gen<string> Join(Gen<string[]> parts, string separator) => parts.Select(p => string.Join(separator, p));

    private static Gen<string[]> Some(Gen<string> item, int max) => Gen.Choose(0, max).SelectMany(n => Gen.ArrayOf(item, n));

    public static Gen<byte[]> Png() =>
        from width in U32()
        from height in U32()
        from depth in Gen.Elements<byte>(1, 2, 4, 8, 16, 0, 3)
        from color in Gen.Elements<byte>(0, 2, 3, 4, 6, 1, 7)
        from interlace in Gen.Elements<byte>(0, 1, 2)
        from palette in Gen.OneOf(Gen.Constant<byte[]?>(null), Bytes(64).Select(b => (byte[]?)b))
        from raw in Bytes(256)
        from compress in Gen.Elements(true, true, false)
        select BuildPng(width, height, depth, color, interlace, palette, compress ? Zlib(raw) : raw);

    private static byte[] BuildPng(uint width, uint height, byte depth, byte color, byte interlace, byte[]? palette, byte[] idat)
    {
        using var png = new MemoryStream();
        png.Write([0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A]);
        var ihdr = new byte[13];
        BinaryPrimitives.WriteUInt32BigEndian(ihdr, width);
        BinaryPrimitives.WriteUInt32BigEndian(ihdr.AsSpan(4), height);
        (ihdr[8], ihdr[9], ihdr[12]) = (depth, color, interlace);
        TestPngEncoder.WriteChunk(png, "IHDR", ihdr);
        if (palette is not null) TestPngEncoder.WriteChunk(png, "PLTE", palette);
        TestPngEncoder.WriteChunk(png, "IDAT", idat);
        TestPngEncoder.WriteChunk(png, "IEND", []);
        return png.ToArray();
    }

    private static byte[] Zlib(byte[] raw)
    {
        using var output = new MemoryStream();
        using (var z = new ZLibStream(output, CompressionLevel.Fastest, leaveOpen: true)) z.Write(raw);
        return output.ToArray();
    }

    /// <summary>SOI, quantization and Huffman tables, a frame header, an optional DRI, a scan with random entropy data, EOI.</summary>
    public static Gen<byte[]> Jpeg() =>
        from sof in Gen.Elements<byte>(0xC0, 0xC1, 0xC2, 0xC3)
        from height in U16()
        from width in U16()
        from components in Gen.Elements(1, 3, 3, 0, 2, 4, 255)
        from sampling in Gen.ArrayOf(Gen.Elements<byte>(0x11, 0x22, 0x21, 0x12, 0x44, 0x00, 0x55, 0xFF), 4)
        from dqt in Bytes(70)
        from huffmanCounts in Gen.ArrayOf(Gen.Elements<byte>(0, 0, 1, 2, 5, 255), 16)
        from symbols in Bytes(40)
        from restart in Gen.OneOf(Gen.Constant<ushort?>(null), U16().Select(v => (ushort?)v))
        from scan in Gen.ArrayOf(Gen.Choose(0, 255).Select(b => (byte)b), 5)
        from entropy in Bytes(300)
        select BuildJpeg(sof, height, width, components, sampling, dqt, huffmanCounts, symbols, restart, scan, entropy);

    private static byte[] BuildJpeg(byte sof, ushort height, ushort width, int components, byte[] sampling, byte[] dqt,
        byte[] huffmanCounts, byte[] symbols, ushort? restart, byte[] scan, byte[] entropy)
    {
        using var jpeg = new MemoryStream();
        void Segment(byte marker, byte[] body)
        {
            jpeg.Write([0xFF, marker, (byte)((body.Length + 2) >> 8), (byte)(body.Length + 2)]);
            jpeg.Write(body);
        }
        jpeg.Write([0xFF, 0xD8]);
        Segment(0xDB, dqt);
        Segment(0xC4, [0x00, .. huffmanCounts, .. symbols]);
        Segment(0xC4, [0x10, .. huffmanCounts, .. symbols]);
        var frame = new List<byte> { 8, (byte)(height >> 8), (byte)height, (byte)(width >> 8), (byte)width, (byte)components };
        for (int c = 0; c < Math.Min(components, 4); c++) frame.AddRange([(byte)(c + 1), sampling[c], 0]);
        Segment(sof, [.. frame]);
        if (restart is { } interval) Segment(0xDD, [(byte)(interval >> 8), (byte)interval]);
        int inScan = Math.Min(components, 4);
        var sos = new List<byte> { (byte)inScan };
        for (int c = 0; c < inScan; c++) sos.AddRange([(byte)(c + 1), scan[c]]);
        sos.AddRange([0, 63, scan[4]]);
        Segment(0xDA, [.. sos]);
        jpeg.Write(entropy);
        jpeg.Write([0xFF, 0xD9]);
        return jpeg.ToArray();
    }

    /// <summary>File and info headers with edge values in every field, then some pixel bytes.</summary>
    public static Gen<byte[]> Bmp() =>
        from offset in U32()
        from infoSize in Gen.OneOf(Gen.Elements<uint>(12, 40, 108, 124, 0, 39, 125), U32())
        from width in U32()
        from height in Gen.OneOf(U32(), U32().Select(v => (uint)-(int)v))
        from bits in Gen.Elements<ushort>(24, 32, 0, 1, 8, 16, 48, 0xFFFF)
        from compression in Gen.Elements<uint>(0, 0, 1, 3, 0xFFFFFFFF)
        from pixels in Bytes(300)
        select BuildBmp(offset, infoSize, width, height, bits, compression, pixels);

    private static byte[] BuildBmp(uint offset, uint infoSize, uint width, uint height, ushort bits, uint compression, byte[] pixels)
    {
        var header = new byte[54];
        header[0] = (byte)'B';
        header[1] = (byte)'M';
        BinaryPrimitives.WriteUInt32LittleEndian(header.AsSpan(2), (uint)(header.Length + pixels.Length));
        BinaryPrimitives.WriteUInt32LittleEndian(header.AsSpan(10), offset % 3 == 0 ? 54 : offset);
        BinaryPrimitives.WriteUInt32LittleEndian(header.AsSpan(14), infoSize);
        BinaryPrimitives.WriteUInt32LittleEndian(header.AsSpan(18), width);
        BinaryPrimitives.WriteUInt32LittleEndian(header.AsSpan(22), height);
        BinaryPrimitives.WriteUInt16LittleEndian(header.AsSpan(26), 1);
        BinaryPrimitives.WriteUInt16LittleEndian(header.AsSpan(28), bits);
        BinaryPrimitives.WriteUInt32LittleEndian(header.AsSpan(30), compression);
        return [.. header, .. pixels];
    }

    /// <summary>A PNM header of numbers (edge values, signs, overlong digits), comments and odd whitespace, then raster bytes.</summary>
    public static Gen<byte[]> Pnm() =>
        from magic in Gen.Elements("P5", "P6", "P4", "P3", "P7")
        from numbers in Gen.ArrayOf(Mutator.NumberText(), 3)
        from separators in Gen.ArrayOf(Gen.Elements(" ", "\n", "\t", "\r\n", "  ", "\n# comment\n", "#", ""), 4)
        from raster in Bytes(400)
        select (byte[])[.. Encoding.ASCII.GetBytes(magic + separators[0] + numbers[0] + separators[1] + numbers[1] + separators[2] + numbers[2] + separators[3]), .. raster];

    /// <summary>A JSON header of tensors with edge-valued shapes and offsets, a length prefix that is right or an edge value, then data.</summary>
    public static Gen<byte[]> Safetensors()
    {
        var dtype = Gen.Elements("\"F32\"", "\"F16\"", "\"BF16\"", "\"F64\"", "\"I64\"", "\"U8\"", "\"BOOL\"", "\"F8_E4M3\"", "\"f32\"", "32", "null");
        var numbers = Join(Some(Mutator.NumberText(), 4), ", ");
        var tensor =
            from name in Gen.Elements("a", "b", "__metadata__", "", "a.b.c", "\\u0000")
            from d in dtype
            from shape in numbers
            from offsets in numbers
            select $"\"{name}\": {{\"dtype\": {d}, \"shape\": [{shape}], \"data_offsets\": [{offsets}]}}";
        return
            from tensors in Some(tensor, 3)
            from metadata in Gen.Elements("", "\"__metadata__\": {\"k\": \"v\"}", "\"__metadata__\": {\"k\": 1}", "\"__metadata__\": []")
            from exactLength in Gen.Elements(true, true, false)
            from length in Mutator.FieldNumber()
            from data in Bytes(64)
            select BuildSafetensors("{" + string.Join(", ", metadata.Length > 0 ? [metadata, .. tensors] : tensors) + "}", exactLength ? null : length, data);
    }

    private static byte[] BuildSafetensors(string header, ulong? length, byte[] data)
    {
        byte[] json = Encoding.UTF8.GetBytes(header);
        return Weights.TestFiles.WithLengthPrefix(length ?? (ulong)json.Length, [.. json, .. data]);
    }

    /// <summary>A .npy of any version with an edge-valued header length, odd descrs, orders and shapes, then data.</summary>
    public static Gen<byte[]> Npy() =>
        from version in Gen.Elements<byte>(1, 2, 3, 0, 4)
        from descr in Gen.Elements("'<f4'", "'<f2'", "'<f8'", "'|u1'", "'|b1'", "'<i8'", "'>f4'", "'<c8'", "'O'", "'<U3'", "4", "'<f4", "''")
        from fortran in Gen.Elements("False", "True", "0", "None", "'False'")
        from dims in Some(Mutator.NumberText(), 4)
        from shape in Gen.Elements("({0})", "({0},)", "[{0}]", "{0}", "(({0}),)")
        from exactLength in Gen.Elements(true, true, false)
        from length in Mutator.FieldNumber()
        from data in Bytes(96)
        select BuildNpy(version, $"{{'descr': {descr}, 'fortran_order': {fortran}, 'shape': {string.Format(System.Globalization.CultureInfo.InvariantCulture, shape, string.Join(", ", dims))}, }}\n",
            exactLength ? null : length, data);

    private static byte[] BuildNpy(byte version, string dict, ulong? length, byte[] data)
    {
        byte[] header = Encoding.Latin1.GetBytes(dict);
        int size = version == 1 ? 2 : 4;
        var field = new byte[size];
        new Field(0, size, BigEndian: false).Write(field, length ?? (ulong)header.Length);
        return [0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y', version, 0, .. field, .. header, .. data];
    }

    /// <summary>A JSON object of known and unknown config fields holding values of every JSON type, nested a little.</summary>
    public static Gen<byte[]> ConfigJson()
    {
        var scalar = Gen.OneOf(Mutator.NumberText(), Gen.Elements("true", "false", "null", "\"token\"", "\"avg\"", "\"bilinear\"", "\"crossvit_9_240\"", "\"\""));
        var list = Join(Some(scalar, 4), ", ").Select(s => $"[{s}]");
        var nested = Join(Some(list, 3), ", ").Select(s => $"[{s}]");
        var value = Gen.Frequency((3, scalar), (3, list), (2, nested), (1, Gen.Constant("{}")), (1, Gen.Constant("{\"img_size\": 240, \"x\": 1}")));
        var name = Gen.Elements(
            "img_size", "patch_size", "in_channels", "in_chans", "num_classes", "embed_dim", "depth", "num_heads", "mlp_ratio",
            "qkv_bias", "qk_scale", "drop_rate", "norm_eps", "multi_conv", "global_pool", "crop_scale", "interpolation", "crop_pct",
            "architecture", "model_args", "pretrained_cfg", "unknown", "");
        var entry = Gen.Zip(name, value).Select(p => $"\"{p.Item1}\": {p.Item2}");
        return Join(Some(entry, 10), ", ").Select(body => Encoding.UTF8.GetBytes("{" + body + "}"));
    }
}

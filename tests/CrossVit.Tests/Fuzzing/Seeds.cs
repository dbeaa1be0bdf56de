using System.Buffers.Binary;
using System.Text;
using CrossVit.Runtime.Config;
using CrossVit.Runtime.Model;
using CrossVit.Tests.Imaging;
using CrossVit.Weights;

namespace CrossVit.Tests.Fuzzing;

/// <summary>
/// Valid files of every format, each with the binary fields (lengths, offsets, dimensions) and text headers its
/// parser trusts, so that mutations aim at them. Small files keep a case at well under a millisecond.
/// </summary>
internal static class Seeds
{
    private static byte[] Golden(string image) => File.ReadAllBytes(TestData.Golden("images", image));

    public static IReadOnlyList<Seed> Png { get; } = BuildPng();

    public static IReadOnlyList<Seed> Jpeg { get; } =
        [.. JpegSeeds.All.Select(p => JpegSeed(p.Key, p.Value)), JpegSeed("astronaut_progressive.jpg", Golden("astronaut_progressive.jpg"))];

    public static IReadOnlyList<Seed> Bmp { get; } =
    [
        BmpSeed("bottom-up 24-bit", Encode.Bmp(7, 5, 24, topDown: false, coreHeader: false)),
        BmpSeed("top-down 32-bit", Encode.Bmp(6, 4, 32, topDown: true, coreHeader: false)),
        BmpSeed("OS/2 core 24-bit", Encode.Bmp(5, 3, 24, topDown: false, coreHeader: true)),
    ];

    public static IReadOnlyList<Seed> Pnm { get; } =
    [
        PnmSeed("P6 8-bit", Encode.Pnm("P6", 7, 5, 255)),
        PnmSeed("P5 8-bit", Encode.Pnm("P5", 9, 4, 255)),
        PnmSeed("P6 16-bit", Encode.Pnm("P6", 5, 3, 65535)),
        PnmSeed("P5 maxval 1000", Encode.Pnm("P5", 6, 6, 1000)),
        PnmSeed("P6 maxval 15", Encode.Pnm("P6", 4, 4, 15)),
    ];

    public static IReadOnlyList<Seed> Safetensors { get; } =
    [
        SafetensorsSeed("mixed dtypes", new SafetensorsWriter()
            .AddMetadata("k", "v")
            .Add("a", DType.F32, [2, 3], [1, 2, 3, 4, 5, 6])
            .Add("b", DType.BF16, [3], [1, 2, 3])
            .Add("c", DType.F16, [0], [])
            .Add("d", DType.F64, [1, 1, 2], [7, 8])
            .ToArray()),
        SafetensorsSeed("scalar", new SafetensorsWriter().Add("s", DType.F32, [], [42]).ToArray()),
    ];

    public static IReadOnlyList<Seed> Npy { get; } =
    [
        NpySeed("f4 2x3", Encode.NpyFloat32([2, 3], [1, 2, 3, 4, 5, 6])),
        NpySeed("u1 image", Weights.TestFiles.Npy("{'descr': '|u1', 'fortran_order': False, 'shape': (2, 2, 3), }", [.. Enumerable.Range(0, 12).Select(i => (byte)i)])),
        NpySeed("f2 v2", Weights.TestFiles.Npy("{'descr': '<f2', 'fortran_order': False, 'shape': (3,), }", [0, 60, 0, 64, 0, 66], majorVersion: 2)),
        NpySeed("f8 scalar v3", Weights.TestFiles.Npy("{'descr': '<f8', 'fortran_order': False, 'shape': (), }", [0, 0, 0, 0, 0, 0, 240, 63], majorVersion: 3)),
    ];

    public static IReadOnlyList<Seed> Config { get; } =
    [
        .. TestData.Cases.Select(name => TextSeed(name, File.ReadAllBytes(TestData.Golden(name, "config.json")))),
        TextSeed("written preset", Encoding.UTF8.GetBytes(CrossVitConfigJson.Write(Presets.Get("crossvit_15_dagger_408")))),
        TextSeed("Hugging Face", Encoding.UTF8.GetBytes("""
            {"architecture": "crossvit_9_240", "num_classes": 10, "global_pool": "avg",
             "model_args": {"img_size": 240, "mlp_ratio": [3.0, 3.0, 1.0], "qk_scale": null, "crop_scale": true},
             "pretrained_cfg": {"crop_pct": 0.9, "input_size": [3, 240, 240]}}
            """)),
    ];

    private static List<Seed> BuildPng()
    {
        int[] Samples(int w, int h, int colorType, int depth) =>
            [.. Enumerable.Range(0, w * h * TestPngEncoder.Channels(colorType)).Select(i => (i * 37 + 11) % (1 << depth))];
        byte[] palette = [.. Enumerable.Range(0, 16 * 3).Select(i => (byte)(i * 5))];
        return
        [
            PngSeed("rgb8", TestPngEncoder.Encode(7, 5, 2, 8, Samples(7, 5, 2, 8), interlace: false)),
            PngSeed("rgba16 adam7", TestPngEncoder.Encode(9, 6, 6, 16, Samples(9, 6, 6, 16), interlace: true)),
            PngSeed("gray1", TestPngEncoder.Encode(13, 3, 0, 1, Samples(13, 3, 0, 1), interlace: false)),
            PngSeed("gray-alpha8 adam7", TestPngEncoder.Encode(5, 9, 4, 8, Samples(5, 9, 4, 8), interlace: true)),
            PngSeed("palette4", TestPngEncoder.Encode(6, 6, 3, 4, Samples(6, 6, 3, 4), interlace: false, palette)),
            PngSeed("chelsea.png", Golden("chelsea.png")),
        ];
    }

    /// <summary>Every chunk's length, and IHDR's width, height, depth, colour type and interlace method.</summary>
    private static Seed PngSeed(string name, byte[] png)
    {
        var fields = new List<Field>();
        for (int pos = 8; pos + 12 <= png.Length;)
        {
            int length = (int)BinaryPrimitives.ReadUInt32BigEndian(png.AsSpan(pos));
            fields.Add(new Field(pos, 4, BigEndian: true));
            if (Encoding.ASCII.GetString(png, pos + 4, 4) == "IHDR")
                fields.AddRange([new(pos + 8, 4, true), new(pos + 12, 4, true), new(pos + 16, 1, true), new(pos + 17, 1, true), new(pos + 20, 1, true)]);
            pos += 12 + length;
        }
        return new Seed(name, png, fields);
    }

    /// <summary>Every segment's length up to the first scan, SOF's dimensions and sampling, DRI's interval, SOS's selectors.</summary>
    private static Seed JpegSeed(string name, byte[] jpeg)
    {
        var fields = new List<Field>();
        for (int pos = 2; pos + 4 <= jpeg.Length && jpeg[pos] == 0xFF;)
        {
            byte marker = jpeg[pos + 1];
            int length = BinaryPrimitives.ReadUInt16BigEndian(jpeg.AsSpan(pos + 2));
            fields.Add(new Field(pos + 2, 2, BigEndian: true));
            int body = pos + 4;
            if (marker is 0xC0 or 0xC1 or 0xC2)
            {
                fields.AddRange([new(body, 1, true), new(body + 1, 2, true), new(body + 3, 2, true), new(body + 5, 1, true)]);
                for (int c = 0; c < jpeg[body + 5]; c++) fields.AddRange([new(body + 7 + 3 * c, 1, true), new(body + 8 + 3 * c, 1, true)]);
            }
            else if (marker == 0xDD)
            {
                fields.Add(new Field(body, 2, true));
            }
            else if (marker == 0xDA)
            {
                fields.AddRange([new(body, 1, true), new(body + 2, 1, true), new(pos + 1 + length, 1, true), new(pos + length, 1, true)]);
                break;   // entropy-coded data follows; the bit flips and overwrites reach it
            }
            else if (marker == 0xC4)
            {
                fields.AddRange(Enumerable.Range(1, 16).Select(i => new Field(body + i, 1, true)));
            }
            pos += 2 + length;
        }
        return new Seed(name, jpeg, fields);
    }

    private static Seed BmpSeed(string name, byte[] bmp) => new(name, bmp,
        [new(2, 4, false), new(10, 4, false), new(14, 4, false), new(18, 4, false), new(22, 4, false), new(18, 2, false), new(20, 2, false),
         new(26, 2, false), new(28, 2, false), new(30, 4, false)]);

    /// <summary>The text header is everything before the raster: magic, width, height and maxval.</summary>
    private static Seed PnmSeed(string name, byte[] pnm)
    {
        int end = 0;
        for (int tokens = 0; tokens < 4; end++)
            if (char.IsWhiteSpace((char)pnm[end]) && end > 0 && !char.IsWhiteSpace((char)pnm[end - 1])) tokens++;
        return new Seed(name, pnm, [], new TextRegion(0, end));
    }

    /// <summary>The 8-byte header length and the JSON header, whose length is rewritten after a text mutation.</summary>
    private static Seed SafetensorsSeed(string name, byte[] file)
    {
        int headerLength = (int)BinaryPrimitives.ReadUInt64LittleEndian(file);
        return new Seed(name, file, [new Field(0, 8, BigEndian: false)],
            new TextRegion(8, headerLength, (bytes, length) => BinaryPrimitives.WriteUInt64LittleEndian(bytes, (ulong)length)));
    }

    /// <summary>The header length field (2 bytes in version 1, 4 after) and the header dict.</summary>
    private static Seed NpySeed(string name, byte[] file)
    {
        int size = file[6] == 1 ? 2 : 4;
        int headerLength = size == 2 ? BinaryPrimitives.ReadUInt16LittleEndian(file.AsSpan(8)) : (int)BinaryPrimitives.ReadUInt32LittleEndian(file.AsSpan(8));
        var field = new Field(8, size, BigEndian: false);
        return new Seed(name, file, [field, new Field(6, 1, false)],
            new TextRegion(8 + size, headerLength, (bytes, length) => field.Write(bytes, (ulong)length)));
    }

    private static Seed TextSeed(string name, byte[] text) => new(name, text, [], new TextRegion(0, text.Length));
}

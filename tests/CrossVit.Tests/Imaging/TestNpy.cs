using System.Buffers.Binary;
using System.Text;
using System.Text.RegularExpressions;
using Xunit;

namespace CrossVit.Tests.Imaging;

/// <summary>Minimal .npy reader for the golden files (little-endian float32 and uint8, C order).</summary>
internal static partial class TestNpy
{
    public static (int[] Shape, byte[] Data) ReadBytes(string path)
    {
        byte[] file = File.ReadAllBytes(path);
        Assert.True(file[0] == 0x93 && "NUMPY"u8.SequenceEqual(file.AsSpan(1, 5)), $"{path} is not an .npy file");
        int headerLength = file[6] == 1 ? BinaryPrimitives.ReadUInt16LittleEndian(file.AsSpan(8)) : (int)BinaryPrimitives.ReadUInt32LittleEndian(file.AsSpan(8));
        int dataStart = (file[6] == 1 ? 10 : 12) + headerLength;
        string header = Encoding.ASCII.GetString(file, file[6] == 1 ? 10 : 12, headerLength);
        Assert.Contains("'fortran_order': False", header);
        int[] shape = ShapeRegex().Match(header).Groups[1].Value
            .Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(int.Parse).ToArray();
        return (shape, file[dataStart..]);
    }

    public static (int[] Shape, float[] Data) ReadFloat32(string path)
    {
        (int[] shape, byte[] raw) = ReadBytes(path);
        Assert.Contains("'<f4'", Encoding.ASCII.GetString(File.ReadAllBytes(path), 0, 128));
        var data = new float[raw.Length / 4];
        for (int i = 0; i < data.Length; i++)
        {
            data[i] = BinaryPrimitives.ReadSingleLittleEndian(raw.AsSpan(4 * i));
        }

        return (shape, data);
    }

    [GeneratedRegex(@"'shape':\s*\(([^)]*)\)")]
    private static partial Regex ShapeRegex();
}

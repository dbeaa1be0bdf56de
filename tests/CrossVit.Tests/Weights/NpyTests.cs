using System.Text;
using CrossVit.Weights;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Xunit;

namespace CrossVit.Tests.Weights;

public class NpyTests
{
    private const string F4Header = "{'descr': '<f4', 'fortran_order': False, 'shape': (2,), }";

    [Property]
    public Property WriteThenReadRoundTrips()
    {
        var gen =
            from shape in Gen.Choose(0, 4).SelectMany(rank => Gen.ArrayOf(Gen.Choose(0, 5), rank))
            from values in Gen.ArrayOf(Gen.Choose(int.MinValue, int.MaxValue).Select(BitConverter.Int32BitsToSingle), shape.Aggregate(1, (a, b) => a * b))
            select (shape, values);
        return Prop.ForAll(gen.ToArbitrary(), c =>
        {
            using var stream = new MemoryStream();
            Npy.Write(stream, c.shape, c.values);
            byte[] bytes = stream.ToArray();
            var parsed = Npy.Parse(bytes);
            var read = Npy.Read(new MemoryStream(bytes));
            return BitConverter.ToUInt16(bytes, 8) % 64 == 54 // magic + version + length field + header fill whole 64-byte blocks
                && parsed.Shape.SequenceEqual(c.shape)
                && read.Shape.SequenceEqual(c.shape)
                && parsed.Descr == "<f4"
                && parsed.ToFloat32().Select(BitConverter.SingleToInt32Bits).SequenceEqual(c.values.Select(BitConverter.SingleToInt32Bits))
                && read.ToFloat32().Select(BitConverter.SingleToInt32Bits).SequenceEqual(c.values.Select(BitConverter.SingleToInt32Bits));
        });
    }

    [Fact]
    public void WritesTheHeaderNumpyWrites()
    {
        using var temp = new TestFiles.TempFile();
        Npy.Write(temp.Path, [5], [1, 2, 3, 4, 5]);
        byte[] bytes = File.ReadAllBytes(temp.Path);
        string header = Encoding.ASCII.GetString(bytes, 10, 118);
        Assert.Equal("{'descr': '<f4', 'fortran_order': False, 'shape': (5,), }".PadRight(117) + "\n", header);
        Assert.Equal(128 + 20, bytes.Length);
        Assert.Equal([1f, 2, 3, 4, 5], Npy.Read(temp.Path).ToFloat32());
    }

    [Fact]
    public void CopyToFillsTheFrontOfALargerBufferAndRefusesAShortOne()
    {
        var array = Npy.Parse(TestFiles.Npy("{'descr': '<f2', 'fortran_order': False, 'shape': (2,)}", [.. BitConverter.GetBytes((Half)1.5), .. BitConverter.GetBytes((Half)(-2))]));
        float[] buffer = [9, 9, 9];
        array.CopyTo(buffer);
        Assert.Equal([1.5f, -2, 9], buffer);
        var e = Assert.Throws<ArgumentException>(() => array.CopyTo(new float[1]));
        Assert.Contains("holds 1 floats; the array has 2 elements", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ScalarAndOtherDescrsConvert()
    {
        Assert.Equal([2.5f], Npy.Parse(TestFiles.Npy("{'descr': '<f8', 'fortran_order': False, 'shape': ()}", BitConverter.GetBytes(2.5))).ToFloat32());
        Assert.Equal([1.5f], Npy.Parse(TestFiles.Npy("{'descr': '<f2', 'fortran_order': False, 'shape': (1,)}", BitConverter.GetBytes((Half)1.5))).ToFloat32());
        Assert.Equal([-7f], Npy.Parse(TestFiles.Npy("{'descr': '<i8', 'fortran_order': False, 'shape': (1,)}", BitConverter.GetBytes(-7L))).ToFloat32());
        Assert.Equal([9f], Npy.Parse(TestFiles.Npy("{\"descr\": \"<i4\", \"shape\": (1, ), \"fortran_order\": False}", BitConverter.GetBytes(9))).ToFloat32());
        var u8 = Npy.Parse(TestFiles.Npy("{'descr': '|u1', 'fortran_order': False, 'shape': (1, 3)}", [0, 128, 255]));
        Assert.Equal([0f, 128, 255], u8.ToFloat32());
        Assert.Equal([0, 128, 255], u8.ToUInt8());
        var v2 = Npy.Parse(TestFiles.Npy(F4Header, new byte[8], majorVersion: 2));
        Assert.Equal([2], v2.Shape);
    }

    [Fact]
    public void ToUInt8RejectsOtherDescrs() =>
        Assert.Contains("'|u1'", Assert.Throws<TensorFormatException>(() => Npy.Parse(TestFiles.Npy(F4Header, new byte[8])).ToUInt8()).Message);

    [Fact]
    public void WriteRejectsAShapeThatDoesNotMatch() =>
        Assert.Throws<ArgumentException>(() => Npy.Write(new MemoryStream(), [2, 2], [1f]));

    [Theory]
    [InlineData("{'descr': '<f4', 'fortran_order': False}", "no 'shape' key")]
    [InlineData("{'fortran_order': False, 'shape': (2,)}", "no 'descr' key")]
    [InlineData("{'descr': '<f4', 'fortran_order': True, 'shape': (2,)}", "Fortran order")]
    [InlineData("{'descr': '>f4', 'fortran_order': False, 'shape': (2,)}", "big-endian")]
    [InlineData("{'descr': '<c8', 'fortran_order': False, 'shape': (2,)}", "descr '<c8': unsupported")]
    [InlineData("{'descr': '<f4', 'fortran_order': False, 'shape': (-2,)}", "shape contains '-'")]
    [InlineData("{'descr': '<f4', 'fortran_order': False, 'shape': (99999999999999999999,)}", "too large")]
    [InlineData("{'descr': '<f4', 'fortran_order': False, 'shape': (3000000000,)}", "too large")]
    [InlineData("{'descr': '<f4', 'fortran_order': False, 'shape': (2147483647, 2147483647, 2147483647)}", "too large")]
    [InlineData("{'descr': '<f4', 'fortran_order': False, 'shape': (3,)}", "data needs 12 bytes")]
    [InlineData("{'descr': '<f4', 'fortran_order': False, 'shape': (2,), 'extra': 1}", "malformed")]
    [InlineData("{'descr': '<f4', 'descr': '<f4', 'fortran_order': False, 'shape': (2,)}", "'descr' appears twice")]
    [InlineData("{'descr': '<f4', 'fortran_order': 0, 'shape': (2,)}", "malformed")]
    [InlineData("{'descr': 4, 'fortran_order': False, 'shape': (2,)}", "malformed")]
    [InlineData("{'descr': '<f4', 'fortran_order': False, 'shape': (2,)", "malformed")]
    [InlineData("not a dict", "malformed")]
    public void MalformedHeaders(string dict, string expectedInMessage) =>
        AssertMalformed(TestFiles.Npy(dict, new byte[8]), expectedInMessage);

    [Fact]
    public void BadMagic() => AssertMalformed(Encoding.ASCII.GetBytes("\x92NUMPY\x01\x00\x00\x00"), "magic string");

    [Fact]
    public void FileShorterThanTheMagic() => AssertMalformed([0x93, (byte)'N'], "magic string");

    [Fact]
    public void UnsupportedVersion() => AssertMalformed([.. TestFiles.Npy(F4Header, new byte[8]).Select((b, i) => i == 6 ? (byte)9 : b)], "version 9.0");

    [Fact]
    public void HeaderLengthPastTheEnd() =>
        AssertMalformed([0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y', 1, 0, 0xFF, 0x00, (byte)'{'], "header needs 255 bytes");

    [Fact]
    public void HugeVersion2HeaderLengthIsRejectedBeforeAllocating() =>
        AssertMalformed([0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y', 2, 0, 0xFF, 0xFF, 0xFF, 0xFF], "exceeds the limit");

    private static void AssertMalformed(byte[] bytes, string expectedInMessage)
    {
        var parsed = Assert.Throws<TensorFormatException>(() => Npy.Parse(bytes));
        Assert.Contains(expectedInMessage, parsed.Message, StringComparison.Ordinal);
        var read = Assert.Throws<TensorFormatException>(() => Npy.Read(new MemoryStream(bytes)));
        Assert.Contains(expectedInMessage, read.Message.Replace("the stream ended", "only", StringComparison.Ordinal), StringComparison.Ordinal);
    }
}

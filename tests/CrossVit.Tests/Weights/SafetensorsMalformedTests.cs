using CrossVit.Weights;
using Xunit;

namespace CrossVit.Tests.Weights;

/// <summary>Each malformed file must raise <see cref="TensorFormatException"/> with a message naming the problem.</summary>
public class SafetensorsMalformedTests
{
    /// <summary>A valid F32 [2] tensor entry covering data bytes [0, 8).</summary>
    private const string Ok = """{"dtype":"F32","shape":[2],"data_offsets":[0,8]}""";

    [Fact]
    public void FileShorterThanTheLengthPrefix() =>
        AssertMalformed([1, 2, 3], "expected at least 8 bytes");

    [Fact]
    public void EmptyFileOnDisk()
    {
        using var temp = new TestFiles.TempFile();
        File.WriteAllBytes(temp.Path, []);
        var e = Assert.Throws<TensorFormatException>(() => SafetensorsFile.Open(temp.Path));
        Assert.Contains("0 bytes", e.Message);
    }

    [Fact]
    public void HeaderLengthPastTheEnd() =>
        AssertMalformed(TestFiles.WithLengthPrefix(100, "{}"u8.ToArray()), "past the end of the file");

    [Fact]
    public void HugeHeaderLengthIsRejectedBeforeAllocating() =>
        AssertMalformed(TestFiles.WithLengthPrefix(1UL << 63, "{}"u8.ToArray()), "past the end of the file");

    [Fact]
    public void HeaderIsNotJson() => AssertMalformed(TestFiles.Safetensors("{not json"), "not valid JSON");

    [Fact]
    public void HeaderIsNotUtf8() => AssertMalformed(TestFiles.WithLengthPrefix(4, [(byte)'{', 0xFF, 0xFE, (byte)'}']), "UTF-8");

    [Fact]
    public void HeaderIsNotAnObject() => AssertMalformed(TestFiles.Safetensors("[1, 2]"), "expected a JSON object");

    [Fact]
    public void TrailingContentAfterTheObject() => AssertMalformed(TestFiles.Safetensors("{} {}"), "JSON");

    [Fact]
    public void TensorEntryIsNotAnObject() => AssertMalformed(TestFiles.Safetensors("""{"w": 5}"""), "tensor 'w'");

    [Fact]
    public void DTypeIsNotAString() =>
        AssertMalformed(TestFiles.Safetensors("""{"w":{"dtype":4,"shape":[2],"data_offsets":[0,8]}}""", new byte[8]), "'w' dtype");

    [Fact]
    public void UnknownDType() =>
        AssertMalformed(TestFiles.Safetensors("""{"w":{"dtype":"F8_E4M3","shape":[2],"data_offsets":[0,2]}}""", new byte[2]), "unknown dtype 'F8_E4M3'");

    [Fact]
    public void MissingField() =>
        AssertMalformed(TestFiles.Safetensors("""{"w":{"dtype":"F32","shape":[2]}}""", new byte[8]), "no 'data_offsets'");

    [Fact]
    public void DuplicateField() =>
        AssertMalformed(TestFiles.Safetensors("""{"w":{"dtype":"F32","shape":[2],"data_offsets":[0,8],"dtype":"F16"}}""", new byte[8]), "'dtype' twice");

    [Fact]
    public void NegativeShape() =>
        AssertMalformed(TestFiles.Safetensors("""{"w":{"dtype":"F32","shape":[-2],"data_offsets":[0,8]}}""", new byte[8]), "shape contains -2");

    [Fact]
    public void FractionalShape() =>
        AssertMalformed(TestFiles.Safetensors("""{"w":{"dtype":"F32","shape":[2.5],"data_offsets":[0,8]}}""", new byte[8]), "shape contains 2.5");

    [Fact]
    public void ShapeIsNotAnArray() =>
        AssertMalformed(TestFiles.Safetensors("""{"w":{"dtype":"F32","shape":"2","data_offsets":[0,8]}}""", new byte[8]), "'w' shape");

    [Fact]
    public void OverflowingShape() =>
        AssertMalformed(
            TestFiles.Safetensors("""{"w":{"dtype":"F32","shape":[4294967296,4294967296],"data_offsets":[0,8]}}""", new byte[8]),
            "too many elements");

    [Fact]
    public void ShapeWhoseByteSizeOverflows() =>
        AssertMalformed(
            TestFiles.Safetensors("""{"w":{"dtype":"F64","shape":[2305843009213693952],"data_offsets":[0,8]}}""", new byte[8]),
            "too many elements");

    [Fact]
    public void DataOffsetsNotTwoIntegers() =>
        AssertMalformed(TestFiles.Safetensors("""{"w":{"dtype":"F32","shape":[2],"data_offsets":[0]}}""", new byte[8]), "expected two integers");

    [Fact]
    public void DataOffsetsNotIntegers() =>
        AssertMalformed(TestFiles.Safetensors("""{"w":{"dtype":"F32","shape":[2],"data_offsets":["0","8"]}}""", new byte[8]), "data_offsets contains String");

    [Fact]
    public void DataOffsetsBeyond64Bits() =>
        AssertMalformed(
            TestFiles.Safetensors("""{"w":{"dtype":"F32","shape":[2],"data_offsets":[0,99999999999999999999]}}""", new byte[8]),
            "fit in 64 bits");

    [Fact]
    public void ReversedDataOffsets() =>
        AssertMalformed(TestFiles.Safetensors("""{"w":{"dtype":"F32","shape":[0],"data_offsets":[8,0]}}""", new byte[8]), "reversed");

    [Fact]
    public void DataOffsetsPastTheDataSection() =>
        AssertMalformed(TestFiles.Safetensors("{\"w\":" + Ok + "}", new byte[7]), "past the end of the data section");

    [Fact]
    public void ByteLengthDoesNotMatchShape() =>
        AssertMalformed(TestFiles.Safetensors("""{"w":{"dtype":"F16","shape":[2],"data_offsets":[0,8]}}""", new byte[8]), "expected 4 bytes");

    [Fact]
    public void OverlappingTensors() =>
        AssertMalformed(
            TestFiles.Safetensors("{\"a\":" + Ok + ""","b":{"dtype":"F32","shape":[2],"data_offsets":[4,12]}}""", new byte[12]),
            "overlaps");

    [Fact]
    public void DuplicateTensorNames() =>
        AssertMalformed(TestFiles.Safetensors("{\"w\":" + Ok + ",\"w\":" + Ok + "}", new byte[8]), "'w' twice");

    [Fact]
    public void MetadataValueIsNotAString() =>
        AssertMalformed(TestFiles.Safetensors("""{"__metadata__":{"epoch":3}}"""), "'__metadata__' entry 'epoch'");

    [Fact]
    public void MetadataIsNotAnObject() =>
        AssertMalformed(TestFiles.Safetensors("""{"__metadata__":"x"}"""), "'__metadata__'");

    [Fact]
    public void ZeroByteTensorsAreLegalAndMayShareOffsets()
    {
        using var file = SafetensorsFile.FromBytes(TestFiles.Safetensors(
            """{"e":{"dtype":"F32","shape":[3,0],"data_offsets":[4,4]},"w":""" + Ok +
            ""","unknown_field_ignored":{"dtype":"BOOL","shape":[],"data_offsets":[8,9],"x":[[1]]}}""",
            new byte[9]));
        Assert.Empty(file.ReadFloat32("e"));
        Assert.Equal(["w", "e", "unknown_field_ignored"], file.Tensors.Select(t => t.Name));
    }

    private static void AssertMalformed(byte[] bytes, string expectedInMessage)
    {
        var e = Assert.Throws<TensorFormatException>(() => SafetensorsFile.FromBytes(bytes));
        Assert.Contains(expectedInMessage, e.Message, StringComparison.Ordinal);

        // The memory-mapped path validates identically.
        using var temp = new TestFiles.TempFile();
        File.WriteAllBytes(temp.Path, bytes);
        var mapped = Assert.Throws<TensorFormatException>(() => SafetensorsFile.Open(temp.Path));
        Assert.Equal(e.Message, mapped.Message);
    }
}

using CrossVit.Weights;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Xunit;

namespace CrossVit.Tests.Weights;

public class SafetensorsRoundTripTests
{
    private static readonly DType[] FloatTypes = [DType.F32, DType.F16, DType.BF16, DType.F64];

    /// <summary>Random shapes of up to 4 dims (zeros included) with matching random float values.</summary>
    private static Gen<(long[] Shape, float[] Values)> ShapedValues() =>
        from shape in Gen.Choose(0, 4).SelectMany(rank => Gen.ArrayOf(Gen.Choose(0, 5), rank))
        let count = shape.Aggregate(1, (a, b) => a * b)
        from values in Gen.ArrayOf(AnyFloat(), count)
        select (shape.Select(d => (long)d).ToArray(), values);

    /// <summary>Any float bit pattern (NaNs, infinities, subnormals), plus ordinary magnitudes.</summary>
    private static Gen<float> AnyFloat() => Gen.OneOf(
        Gen.Choose(int.MinValue, int.MaxValue).Select(BitConverter.Int32BitsToSingle),
        Gen.Choose(-100_000, 100_000).Select(i => i / 997f));

    [Property]
    public Property EveryFloatDtypeRoundTripsThroughTheWriter()
    {
        var arb = Gen.Zip(ShapedValues(), Gen.Elements(FloatTypes)).ToArbitrary();
        return Prop.ForAll(arb, c =>
        {
            var ((shape, values), dtype) = c;
            using var file = SafetensorsFile.FromBytes(new SafetensorsWriter().Add("t", dtype, shape, values).ToArray());
            var info = file.GetTensor("t");
            float[] read = file.ReadFloat32("t");
            return info.DType == dtype
                && info.Shape.SequenceEqual(shape)
                && info.ElementCount == values.Length
                && read.Zip(values, (r, v) => SameValue(Expected(dtype, v), r)).All(same => same);
        });
    }

    [Property]
    public Property BFloat16RoundsToNearestEvenLikeTheReference()
    {
        return Prop.ForAll(AnyFloat().ToArbitrary(), v =>
        {
            using var file = SafetensorsFile.FromBytes(new SafetensorsWriter().Add("t", DType.BF16, [1], [v]).ToArray());
            float read = file.ReadFloat32("t")[0];
            return float.IsNaN(v) ? float.IsNaN(read) : BitConverter.SingleToInt32Bits(read) == BitConverter.SingleToInt32Bits(ReferenceBFloat16(v));
        });
    }

    [Theory]
    [InlineData(0x3F808000u, 0x3F800000u)] // tie, even below: round down
    [InlineData(0x3F818000u, 0x3F820000u)] // tie, odd below: round up
    [InlineData(0x3F808001u, 0x3F810000u)] // just above a tie: round up
    [InlineData(0x7F7FFFFFu, 0x7F800000u)] // float.MaxValue overflows to infinity
    public void BFloat16RoundingCases(uint input, uint expected)
    {
        using var file = SafetensorsFile.FromBytes(new SafetensorsWriter().Add("t", DType.BF16, [], [BitConverter.UInt32BitsToSingle(input)]).ToArray());
        Assert.Equal(expected, BitConverter.SingleToUInt32Bits(file.ReadFloat32("t")[0]));
    }

    [Fact]
    public void ManyTensorsAndMetadataRoundTrip()
    {
        byte[] bytes = new SafetensorsWriter()
            .AddMetadata("format", "pt")
            .AddMetadata("note", "ünïcödé \"quoted\"")
            .Add("b", DType.F16, [2], [1f, 2f])
            .Add("a", DType.F32, [0, 3], [])
            .Add("c", DType.F64, [], [3f])
            .ToArray();
        using var file = SafetensorsFile.FromBytes(bytes);

        Assert.Equal(new Dictionary<string, string> { ["format"] = "pt", ["note"] = "ünïcödé \"quoted\"" }, file.Metadata);
        Assert.Equal(["b", "a", "c"], file.Tensors.Select(t => t.Name));
        Assert.Equal(new TensorInfo("c", DType.F64, [], 4, 12), file.GetTensor("c"));
        Assert.Equal(1, file.GetTensor("c").ElementCount);
        Assert.Empty(file.ReadFloat32("a"));
        Assert.Equal([3f], file.ReadFloat32("c"));
        Assert.Equal(0, (BitConverter.ToInt64(bytes, 0) + 8) % 8);
    }

    [Fact]
    public void OpenMemoryMapsAFileWrittenBySave()
    {
        using var temp = new TestFiles.TempFile();
        float[] values = Enumerable.Range(0, 24).Select(i => i * 0.5f).ToArray();
        new SafetensorsWriter().AddMetadata("k", "v").Add("w", DType.F32, [2, 3, 4], values).Add("h", DType.BF16, [24], values).Save(temp.Path);

        using (var file = SafetensorsFile.Open(temp.Path))
        {
            Assert.Equal("v", file.Metadata["k"]);
            Assert.Equal(values, file.ReadFloat32("w"));
            var span = new float[24];
            file.ReadFloat32("h", span);
            Assert.Equal(values, span);
            Assert.Equal(96, file.GetRawBytes(file.GetTensor("w")).Length);
        }

        // Disposal released the mapping, so the file can be deleted.
        File.Delete(temp.Path);
    }

    [Fact]
    public void LookupErrorsNameTheTensor()
    {
        using var file = SafetensorsFile.FromBytes(new SafetensorsWriter().Add("w", DType.F32, [2], [1f, 2f]).ToArray());
        Assert.False(file.TryGetTensor("missing", out _));
        Assert.Contains("'missing'", Assert.Throws<KeyNotFoundException>(() => file.GetTensor("missing")).Message);
        Assert.Throws<ArgumentException>(() => file.ReadFloat32("w", new float[3]));
        Assert.Throws<ArgumentException>(() => file.GetRawBytes(new TensorInfo("w", DType.F32, [2], 0, 1000)));
    }

    [Fact]
    public void WriterRejectsBadInput()
    {
        var writer = new SafetensorsWriter().Add("w", DType.F32, [1], [1f]);
        Assert.Throws<ArgumentException>(() => writer.Add("w", DType.F32, [1], [1f]));
        Assert.Throws<ArgumentException>(() => writer.Add("x", DType.I32, [1], [1f]));
        Assert.Throws<ArgumentException>(() => writer.Add("y", DType.F32, [2], [1f]));
        Assert.Throws<ArgumentException>(() => writer.Add("z", DType.F32, [-1, -1], [1f]));
        Assert.Throws<ArgumentException>(() => writer.AddMetadata("k", "1").AddMetadata("k", "2"));
    }

    [Fact]
    public void IntegerTensorsAreNotConvertedToFloat()
    {
        using var file = SafetensorsFile.FromBytes(TestFiles.Safetensors("""{"i":{"dtype":"I32","shape":[1],"data_offsets":[0,4]}}""", new byte[4]));
        var e = Assert.Throws<TensorFormatException>(() => file.ReadFloat32("i"));
        Assert.Contains("I32", e.Message);
        Assert.Contains("'i'", e.Message);
    }

    [Fact]
    public void DTypeNamesRoundTrip()
    {
        foreach (var t in Enum.GetValues<DType>())
        {
            Assert.True(DTypes.TryParse(DTypes.ToSafetensorsName(t), out var parsed));
            Assert.Equal(t, parsed);
        }

        Assert.Equal("BOOL", DTypes.ToSafetensorsName(DType.Bool));
        Assert.Equal(2, DTypes.SizeOf(DType.BF16));
        Assert.False(DTypes.TryParse("f32", out _));
    }

    /// <summary>Bit-identical, except that a NaN may come back as any NaN: conversions through double or half need not keep a NaN's payload.</summary>
    private static bool SameValue(float expected, float actual) =>
        float.IsNaN(expected) ? float.IsNaN(actual) : BitConverter.SingleToInt32Bits(expected) == BitConverter.SingleToInt32Bits(actual);

    private static float Expected(DType dtype, float v) => dtype switch
    {
        DType.F16 => (float)(Half)v,
        DType.BF16 => ReferenceBFloat16(v),
        DType.F64 => (float)(double)v,
        _ => v,
    };

    /// <summary>bfloat16 rounding computed independently: pick the nearer of the two neighbouring bfloat16 values, the even one on a tie.</summary>
    private static float ReferenceBFloat16(float v)
    {
        if (float.IsNaN(v))
        {
            return BitConverter.UInt32BitsToSingle((BitConverter.SingleToUInt32Bits(v) & 0xFFFF0000u) | 0x00400000u);
        }

        uint bits = BitConverter.SingleToUInt32Bits(v);
        uint down = bits & 0xFFFF0000u;
        if (down == bits)
        {
            return v;
        }

        uint up = down + 0x10000u;
        double distDown = Math.Abs((double)v - BitConverter.UInt32BitsToSingle(down));
        double upValue = (up & 0x7FFFFFFFu) >= 0x7F800000u ? Math.CopySign(Math.Pow(2, 128), v) : BitConverter.UInt32BitsToSingle(up);
        double distUp = Math.Abs(upValue - v);
        uint chosen = distDown < distUp ? down : distUp < distDown ? up : ((down >> 16) & 1) == 0 ? down : up;
        return BitConverter.UInt32BitsToSingle(chosen);
    }
}

using System.Runtime.InteropServices;
using CrossVit.Weights;
using Xunit;

namespace CrossVit.Tests.Weights;

/// <summary>The vectorized F16 and BF16 paths widen every one of the 65,536 bit patterns as the scalar conversion does.</summary>
public class ElementConversionTests
{
    // An odd count, so that a vector body and a scalar tail both run.
    private static readonly ushort[] Patterns = [.. Enumerable.Range(0, 65536).Select(i => (ushort)i), 0x3C00];

    [Fact]
    public void Float16WidensEveryPatternExactly()
    {
        var converted = new float[Patterns.Length];
        ElementConversion.ToFloat32(DType.F16, MemoryMarshal.AsBytes(Patterns.AsSpan()), converted);
        for (int i = 0; i < Patterns.Length; i++)
        {
            float expected = (float)BitConverter.UInt16BitsToHalf(Patterns[i]);
            Assert.True(float.IsNaN(expected) ? float.IsNaN(converted[i]) : BitConverter.SingleToUInt32Bits(expected) == BitConverter.SingleToUInt32Bits(converted[i]),
                $"0x{Patterns[i]:X4}: {converted[i]}, expected {expected}");
        }
    }

    [Fact]
    public void BFloat16WidensEveryPatternExactly()
    {
        var converted = new float[Patterns.Length];
        ElementConversion.ToFloat32(DType.BF16, MemoryMarshal.AsBytes(Patterns.AsSpan()), converted);
        for (int i = 0; i < Patterns.Length; i++)
            Assert.Equal((uint)Patterns[i] << 16, BitConverter.SingleToUInt32Bits(converted[i]));
    }
}

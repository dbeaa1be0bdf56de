using System.Buffers.Binary;
using System.Numerics;
using System.Numerics.Tensors;
using System.Runtime.InteropServices;

namespace CrossVit.Weights;

/// <summary>
/// Converts little-endian stored elements to and from float32: the one conversion routine per dtype, shared by
/// safetensors and .npy, and by the runtime, which converts a checkpoint's tensors piece by piece as it packs them.
/// </summary>
public static class ElementConversion
{
    /// <summary>Decodes <paramref name="destination"/>.Length elements of <paramref name="dtype"/> from <paramref name="source"/>.</summary>
    /// <exception cref="ArgumentException"><paramref name="source"/> does not hold exactly that many elements.</exception>
    public static void ToFloat32(DType dtype, ReadOnlySpan<byte> source, Span<float> destination)
    {
        int size = DTypes.SizeOf(dtype);
        if (source.Length != destination.Length * size)
        {
            throw new ArgumentException($"Expected {destination.Length * (long)size} bytes of {dtype}, got {source.Length}.", nameof(source));
        }

        if (BitConverter.IsLittleEndian)
        {
            // The dtypes of checkpoints get a loop each, with no per-element dispatch: F32 is a plain copy.
            switch (dtype)
            {
                case DType.F32:
                    MemoryMarshal.Cast<byte, float>(source).CopyTo(destination);
                    return;
                case DType.F16:
                    TensorPrimitives.ConvertToSingle(MemoryMarshal.Cast<byte, Half>(source), destination);
                    return;
                case DType.BF16:
                    BFloat16ToSingle(MemoryMarshal.Cast<byte, ushort>(source), destination);
                    return;
            }
        }

        for (int i = 0; i < destination.Length; i++)
        {
            var element = source.Slice(i * size, size);
            destination[i] = dtype switch
            {
                DType.F64 => (float)BinaryPrimitives.ReadDoubleLittleEndian(element),
                DType.F32 => BinaryPrimitives.ReadSingleLittleEndian(element),
                DType.F16 => (float)BinaryPrimitives.ReadHalfLittleEndian(element),
                DType.BF16 => BFloat16ToSingle(BinaryPrimitives.ReadUInt16LittleEndian(element)),
                DType.I64 => BinaryPrimitives.ReadInt64LittleEndian(element),
                DType.I32 => BinaryPrimitives.ReadInt32LittleEndian(element),
                DType.I16 => BinaryPrimitives.ReadInt16LittleEndian(element),
                DType.I8 => (sbyte)element[0],
                DType.U8 => element[0],
                DType.Bool => element[0] != 0 ? 1f : 0f,
                _ => throw new ArgumentOutOfRangeException(nameof(dtype), dtype, "Not a defined DType."),
            };
        }
    }

    /// <summary>
    /// Encodes float32 values as <paramref name="dtype"/>, which must be floating point; F16 and BF16 round to nearest even.
    /// </summary>
    public static void FromFloat32(DType dtype, ReadOnlySpan<float> source, Span<byte> destination)
    {
        int size = DTypes.SizeOf(dtype);
        if (destination.Length != source.Length * size)
        {
            throw new ArgumentException($"Expected room for {source.Length * (long)size} bytes of {dtype}, got {destination.Length}.", nameof(destination));
        }

        if (BitConverter.IsLittleEndian)
        {
            // As in ToFloat32: F32 is a plain copy, F16 one vectorized loop (the same rounding as the cast below).
            switch (dtype)
            {
                case DType.F32:
                    MemoryMarshal.AsBytes(source).CopyTo(destination);
                    return;
                case DType.F16:
                    TensorPrimitives.ConvertToHalf(source, MemoryMarshal.Cast<byte, Half>(destination));
                    return;
            }
        }

        for (int i = 0; i < source.Length; i++)
        {
            var element = destination.Slice(i * size, size);
            switch (dtype)
            {
                case DType.F64:
                    BinaryPrimitives.WriteDoubleLittleEndian(element, source[i]);
                    break;
                case DType.F32:
                    BinaryPrimitives.WriteSingleLittleEndian(element, source[i]);
                    break;
                case DType.F16:
                    BinaryPrimitives.WriteHalfLittleEndian(element, (Half)source[i]);
                    break;
                case DType.BF16:
                    BinaryPrimitives.WriteUInt16LittleEndian(element, SingleToBFloat16(source[i]));
                    break;
                default:
                    throw new ArgumentException($"Cannot encode float32 as {dtype}; expected F64, F32, F16 or BF16.", nameof(dtype));
            }
        }
    }

    /// <summary>Widens bfloat16 values a vector at a time.</summary>
    private static void BFloat16ToSingle(ReadOnlySpan<ushort> source, Span<float> destination)
    {
        int i = 0;
        for (; i <= source.Length - Vector<ushort>.Count; i += Vector<ushort>.Count)
        {
            Vector.Widen(new Vector<ushort>(source[i..]), out var low, out var high);
            Vector.AsVectorSingle(low << 16).CopyTo(destination[i..]);
            Vector.AsVectorSingle(high << 16).CopyTo(destination[(i + Vector<uint>.Count)..]);
        }

        for (; i < source.Length; i++)
        {
            destination[i] = BFloat16ToSingle(source[i]);
        }
    }

    /// <summary>Widens a bfloat16, the top half of a float32, exactly.</summary>
    public static float BFloat16ToSingle(ushort bits) => BitConverter.UInt32BitsToSingle((uint)bits << 16);

    /// <summary>Rounds a float32 to bfloat16, to nearest with ties to even; NaN stays a (quiet) NaN.</summary>
    public static ushort SingleToBFloat16(float value)
    {
        uint bits = BitConverter.SingleToUInt32Bits(value);
        if (float.IsNaN(value))
        {
            // Plain rounding could carry a NaN's payload into the exponent and make it infinity.
            return (ushort)((bits >> 16) | 0x0040);
        }

        uint lsb = (bits >> 16) & 1;
        return (ushort)((bits + 0x7FFF + lsb) >> 16);
    }
}

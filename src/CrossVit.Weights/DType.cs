namespace CrossVit.Weights;

/// <summary>Element types of stored tensors (the subset of safetensors dtypes this library understands).</summary>
public enum DType
{
    /// <summary>IEEE 754 binary64 ("F64").</summary>
    F64,
    /// <summary>IEEE 754 binary32 ("F32").</summary>
    F32,
    /// <summary>IEEE 754 binary16 ("F16").</summary>
    F16,
    /// <summary>bfloat16: the upper 16 bits of a binary32 ("BF16").</summary>
    BF16,
    /// <summary>Signed 64-bit integer ("I64").</summary>
    I64,
    /// <summary>Signed 32-bit integer ("I32").</summary>
    I32,
    /// <summary>Signed 16-bit integer ("I16").</summary>
    I16,
    /// <summary>Signed 8-bit integer ("I8").</summary>
    I8,
    /// <summary>Unsigned 8-bit integer ("U8").</summary>
    U8,
    /// <summary>Boolean stored as one byte, zero meaning false ("BOOL").</summary>
    Bool,
}

/// <summary>Sizes and safetensors names of <see cref="DType"/> values.</summary>
public static class DTypes
{
    /// <summary>The size of one element in bytes.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="t"/> is not a defined <see cref="DType"/>.</exception>
    public static int SizeOf(DType t) => t switch
    {
        DType.F64 or DType.I64 => 8,
        DType.F32 or DType.I32 => 4,
        DType.F16 or DType.BF16 or DType.I16 => 2,
        DType.I8 or DType.U8 or DType.Bool => 1,
        _ => throw new ArgumentOutOfRangeException(nameof(t), t, "Not a defined DType."),
    };

    /// <summary>The dtype string used in safetensors headers, e.g. "F32" or "BOOL".</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="t"/> is not a defined <see cref="DType"/>.</exception>
    public static string ToSafetensorsName(DType t) => t switch
    {
        DType.F64 => "F64",
        DType.F32 => "F32",
        DType.F16 => "F16",
        DType.BF16 => "BF16",
        DType.I64 => "I64",
        DType.I32 => "I32",
        DType.I16 => "I16",
        DType.I8 => "I8",
        DType.U8 => "U8",
        DType.Bool => "BOOL",
        _ => throw new ArgumentOutOfRangeException(nameof(t), t, "Not a defined DType."),
    };

    /// <summary>Parses a safetensors dtype string (case-sensitive, e.g. "BF16").</summary>
    /// <returns><see langword="true"/> if <paramref name="name"/> is a supported dtype.</returns>
    public static bool TryParse(string name, out DType t)
    {
        foreach (var candidate in Enum.GetValues<DType>())
        {
            if (ToSafetensorsName(candidate) == name)
            {
                t = candidate;
                return true;
            }
        }

        t = default;
        return false;
    }

    /// <summary>Whether <paramref name="t"/> is a floating-point type that converts to float32.</summary>
    public static bool IsFloatingPoint(DType t) => t is DType.F64 or DType.F32 or DType.F16 or DType.BF16;
}

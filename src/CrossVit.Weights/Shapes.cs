namespace CrossVit.Weights;

/// <summary>Overflow-checked shape arithmetic shared by every format.</summary>
internal static class Shapes
{
    /// <summary>Multiplies non-negative dimensions; false on a negative dimension or on overflow.</summary>
    public static bool TryGetElementCount(IEnumerable<long> shape, out long count)
    {
        count = 1;
        foreach (long dim in shape)
        {
            if (dim < 0 || !TryMultiply(count, dim, out count))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Multiplies two non-negative numbers; false on overflow.</summary>
    public static bool TryMultiply(long a, long b, out long product)
    {
        if (b != 0 && a > long.MaxValue / b)
        {
            product = 0;
            return false;
        }

        product = a * b;
        return true;
    }

    /// <summary>Formats a shape as "[2, 3]" for messages.</summary>
    public static string Format<T>(IEnumerable<T> shape) => "[" + string.Join(", ", shape) + "]";
}

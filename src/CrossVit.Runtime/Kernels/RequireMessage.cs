using System.Runtime.CompilerServices;

namespace CrossVit.Runtime.Kernels;

/// <summary>
/// Interpolated message for argument checks that is formatted only when the check fails, so validating every
/// kernel call allocates nothing.
/// </summary>
[InterpolatedStringHandler]
internal ref struct RequireMessage
{
    private DefaultInterpolatedStringHandler _inner;

    public RequireMessage(int literalLength, int formattedCount, bool condition, out bool shouldAppend)
    {
        shouldAppend = !condition;
        _inner = shouldAppend ? new DefaultInterpolatedStringHandler(literalLength, formattedCount) : default;
    }

    public void AppendLiteral(string value) => _inner.AppendLiteral(value);

    public void AppendFormatted<T>(T value) => _inner.AppendFormatted(value);

    public override string ToString() => _inner.ToStringAndClear();
}

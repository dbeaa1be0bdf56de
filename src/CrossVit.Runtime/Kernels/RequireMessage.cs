using System.Runtime.CompilerServices;

namespace CrossVit.Runtime.Kernels;

/// <summary>
/// An argument-check message formatted only when the check fails, so the kernels' per-call checks allocate nothing
/// on the hot path (a plain interpolated string would be built on every call).
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

namespace CrossVit.Imaging;

/// <summary>
/// The starts of the eight-sample steps of the decoders' and the resize's 128-bit loops over [first, end): whole steps
/// of eight, the last moved back to end at <c>end</c>, overlapping the one before, instead of a scalar tail. Needs
/// end − first ≥ 8. Every loop it drives computes a sample from inputs it does not write, so a sample written twice
/// gets the same value twice.
/// </summary>
internal readonly struct EightSteps(int first, int end)
{
    /// <summary>Samples per step.</summary>
    public const int Width = 8;

    public Enumerator GetEnumerator() => new(first - Width, end - Width);

    /// <summary>Steps from the one before <c>first</c> (never current) to <c>last</c> = end − 8.</summary>
    public struct Enumerator(int before, int last)
    {
        private int _current = before;

        public readonly int Current => _current;

        public bool MoveNext()
        {
            if (_current == last)
            {
                return false;
            }

            _current = Math.Min(_current + Width, last);
            return true;
        }
    }
}

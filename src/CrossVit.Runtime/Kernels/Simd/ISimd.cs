namespace CrossVit.Runtime.Kernels.Simd;

/// <summary>
/// The vector operations kernels are written against, once, for every width: <typeparamref name="TVec"/> is
/// <c>float</c> (scalar), <c>Vector128&lt;float&gt;</c>, <c>Vector256&lt;float&gt;</c> or <c>Vector512&lt;float&gt;</c>.
/// Implementations are empty structs so generic code is specialised and the calls inline.
/// </summary>
internal unsafe interface ISimd<TVec>
    where TVec : struct
{
    static abstract int Count { get; }

    static abstract TVec Create(float value);

    static abstract TVec Load(float* source);

    static abstract void Store(TVec value, float* destination);

    static abstract TVec Add(TVec left, TVec right);

    static abstract TVec Subtract(TVec left, TVec right);

    static abstract TVec Multiply(TVec left, TVec right);

    static abstract TVec Divide(TVec left, TVec right);

    /// <summary>left·right + addend, fused (one rounding).</summary>
    static abstract TVec MultiplyAdd(TVec left, TVec right, TVec addend);

    /// <summary>
    /// The hardware minimum: x86's returns <paramref name="right"/> when either is NaN, NEON's and <see cref="MathF.Min"/>
    /// return NaN, so a clamp that must keep a NaN puts the value second. ±0 as the instruction orders them.
    /// </summary>
    static abstract TVec Min(TVec left, TVec right);

    /// <summary>The hardware maximum, NaN and ±0 as <see cref="Min"/> has them: a clamp keeps a NaN with the value second.</summary>
    static abstract TVec Max(TVec left, TVec right);

    static abstract TVec Abs(TVec value);

    /// <summary>
    /// Splits finite x as ⌊x⌋ + r: returns r = x − ⌊x⌋ rounded to float, in [0, 1] (1 only for a small negative x, whose
    /// distance above −1 rounds up), and sets <paramref name="exponent"/> to what <see cref="ScaleByPow2"/> takes for
    /// 2^⌊x⌋. AVX-512 computes r in one instruction (reduce) and hands x itself on, as its scale floors the exponent;
    /// elsewhere a floor, which is the exponent, and a subtraction.
    /// </summary>
    static abstract TVec Pow2Split(TVec x, out TVec exponent);

    /// <summary>
    /// value · 2ⁿ for n integral and at least −126, given as a float, or an exponent from <see cref="Pow2Split"/>; above
    /// 127, ±∞ (value ≠ 0). AVX-512's scale instruction (which floors n); elsewhere min(n, 128) + 127 moved into the
    /// exponent field (adding <see cref="ExpOperator.RoundingShift"/> + 127 leaves it in the low mantissa bits), where
    /// 255 is ∞.
    /// </summary>
    static abstract TVec ScaleByPow2(TVec value, TVec n);

    /// <summary>
    /// source[indices[i]] in lane i. The AVX2 gather instruction on x86 (AVX-512 as two of them: .NET has no 512-bit
    /// gather); lane by lane on the 128-bit path, as NEON, which has no gather, would do it.
    /// </summary>
    static abstract TVec Gather(float* source, int* indices);

    /// <summary>
    /// (low ‖ high)[indices[i]] in lane i, every index in [0, 2·Count): AVX-512's two-table permute; AVX2 permutes
    /// each and blends; the 128-bit paths shuffle each (a shuffle zeroes the lanes whose index is out of its range)
    /// and merge the bits. The kernels permute with 8 or 16 lanes only (the resize's taps, the channels-last copy, the
    /// key packing's transpose): with 4, lane loads or a gather cost less than the two shuffles.
    /// </summary>
    static abstract TVec Permute(TVec low, TVec high, int* indices);

    static abstract float Sum(TVec value);

    static abstract float MaxAcross(TVec value);

    /// <summary>
    /// <paramref name="value"/> with its first <paramref name="lanes"/> lanes (0 to Count − 1) cleared to +0 bit by bit,
    /// so a NaN or ∞ there goes too: a reduction's last vector, overlapping lanes it has summed already.
    /// </summary>
    static abstract TVec ClearFirst(TVec value, int lanes);
}

using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.Arm;
using System.Runtime.Intrinsics.X86;

namespace CrossVit.Runtime.Kernels;

/// <summary>Instruction-set level a <see cref="KernelSet"/> runs on.</summary>
public enum Isa
{
    /// <summary>Plain scalar float code.</summary>
    Scalar,

    /// <summary>128-bit vectors through .NET's portable vector API (SSE on x64; on arm64 the same kernels without <see cref="Neon"/>'s own).</summary>
    V128,

    /// <summary>256-bit vectors with FMA (AVX2).</summary>
    Avx2,

    /// <summary>512-bit vectors (AVX-512 F/BW/DQ).</summary>
    Avx512,

    /// <summary>
    /// 128-bit NEON (AdvSimd) on arm64: the <see cref="V128"/> kernels plus NEON instructions the portable API does not
    /// reach (multiply-add by element in the GEMM, lane loads, across-vector maximum).
    /// </summary>
    Neon,
}

/// <summary>Which <see cref="Isa"/> levels this CPU accelerates, and how one is chosen.</summary>
public static class IsaSupport
{
    /// <summary>Environment variable that overrides <see cref="Best"/> when no ISA is requested explicitly.</summary>
    public const string EnvironmentVariable = "CROSSVIT_ISA";

    private const string ValidNames = "avx512, avx2, neon, v128, scalar (case-insensitive)";

    /// <summary>The widest ISA level this CPU accelerates.</summary>
    public static Isa Best =>
        IsSupported(Isa.Avx512) ? Isa.Avx512
        : IsSupported(Isa.Avx2) ? Isa.Avx2
        : IsSupported(Isa.Neon) ? Isa.Neon
        : IsSupported(Isa.V128) ? Isa.V128
        : Isa.Scalar;

    /// <summary>Whether this CPU can run kernels of the given ISA level at hardware speed.</summary>
    public static bool IsSupported(Isa isa) => isa switch
    {
        Isa.Scalar => true,
        Isa.V128 => Vector128.IsHardwareAccelerated,
        Isa.Avx2 => Avx2.IsSupported && Fma.IsSupported,
        Isa.Avx512 => Avx512F.IsSupported && Avx512BW.IsSupported && Avx512DQ.IsSupported,
        Isa.Neon => AdvSimd.Arm64.IsSupported,
        _ => false,
    };

    /// <summary>
    /// Picks the ISA: <paramref name="requested"/>, else the <c>CROSSVIT_ISA</c> environment variable
    /// (avx512|avx2|neon|v128|scalar, case-insensitive), else <see cref="Best"/>.
    /// </summary>
    /// <exception cref="ArgumentException">The environment variable holds an unknown name.</exception>
    /// <exception cref="InvalidOperationException">The chosen ISA is not supported by this CPU.</exception>
    public static Isa Resolve(Isa? requested) =>
        Resolve(requested, Environment.GetEnvironmentVariable(EnvironmentVariable));

    /// <summary>As <see cref="Resolve(Isa?)"/>, with the environment value passed in (testable without touching the process environment).</summary>
    internal static Isa Resolve(Isa? requested, string? environmentValue)
    {
        var isa = requested ?? Parse(environmentValue) ?? Best;
        if (!IsSupported(isa))
        {
            throw new InvalidOperationException(
                $"ISA '{isa}' is not supported by this CPU (best supported: {Best}). Valid values: {ValidNames}.");
        }

        return isa;
    }

    /// <summary>Parses a <c>CROSSVIT_ISA</c> value; null or blank means "not set".</summary>
    internal static Isa? Parse(string? value)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            return null;
        }

        var name = value.Trim();
        foreach (var (text, isa) in Names)
        {
            if (string.Equals(name, text, StringComparison.OrdinalIgnoreCase))
            {
                return isa;
            }
        }

        throw new ArgumentException($"Unknown {EnvironmentVariable} value '{value}'. Valid values: {ValidNames}.", nameof(value));
    }

    private static readonly (string Text, Isa Isa)[] Names =
    [
        ("avx512", Isa.Avx512), ("avx2", Isa.Avx2), ("neon", Isa.Neon), ("v128", Isa.V128), ("scalar", Isa.Scalar),
    ];
}

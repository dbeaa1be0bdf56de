using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using CrossVit.Runtime.Kernels.Gemm;
using CrossVit.Runtime.Kernels.Simd;
using CrossVit.Weights;

namespace CrossVit.Runtime.Kernels;

/// <summary>
/// The compute kernels of one <see cref="Kernels.Isa"/>. Dispatch is decided once, in <see cref="Create"/>.
/// Instances are immutable and safe for concurrent calls; per-call workspace is per thread.
/// Each operation's checked entry is declared in the operation's own file, next to its kernel.
/// </summary>
public sealed unsafe partial class KernelSet
{
    private readonly KernelImpl _impl;

    private KernelSet(Isa isa, KernelImpl impl)
    {
        Isa = isa;
        _impl = impl;
    }

    /// <summary>The ISA these kernels run on.</summary>
    public Isa Isa { get; }

    /// <summary>Rows the GEMM computes together (the micro-kernel's tile): bands of rows cost whole tiles.</summary>
    internal int RowTile => _impl.RowTile;

    /// <summary>Rows of the GEMM's M block, each of which streams all the weights.</summary>
    internal int BlockRows => _impl.BlockRows;

    /// <summary>The unchecked kernels behind the entries, for callers that have checked an operation's arguments once and split it by pointer.</summary>
    internal KernelImpl Impl => _impl;

    /// <summary>Kernels for <paramref name="isa"/>.</summary>
    /// <exception cref="InvalidOperationException">This CPU does not support <paramref name="isa"/>.</exception>
    public static KernelSet Create(Isa isa)
    {
        if (!IsaSupport.IsSupported(isa))
        {
            throw new InvalidOperationException($"ISA '{isa}' is not supported by this CPU (best supported: {IsaSupport.Best}).");
        }

        return CreateSupported(isa);
    }

    /// <summary>Kernels for <paramref name="isa"/>, which the caller knows this CPU supports (<see cref="IsaSupport.Resolve(Isa?)"/> checked it).</summary>
    internal static KernelSet CreateSupported(Isa isa)
    {
        KernelImpl impl = isa switch
        {
            Isa.Scalar => new KernelImpl<ScalarSimd, float>(),
            Isa.V128 => new KernelImpl<Simd128, Vector128<float>>(),
            Isa.Avx2 => new KernelImpl<Simd256, Vector256<float>>(),
            Isa.Avx512 => new KernelImpl<Simd512, Vector512<float>>(),
            Isa.Neon => new KernelImpl<SimdNeon, Vector128<float>>(),
            _ => throw new ArgumentOutOfRangeException(nameof(isa), isa, "Unknown ISA."),
        };
        return new KernelSet(isa, impl);
    }

    /// <summary>Packs an nn.Linear weight, row-major [outFeatures, inFeatures].</summary>
    public PackedMatrix PackLinear(ReadOnlySpan<float> weight, int outFeatures, int inFeatures)
    {
        Require(outFeatures > 0 && inFeatures > 0, "Linear weight dimensions must be positive.");
        Require(weight.Length == (long)outFeatures * inFeatures, $"Linear weight has {weight.Length} floats, expected {outFeatures}×{inFeatures}.");
        return Pack(MemoryMarshal.AsBytes(weight), DType.F32, SourceLayout.Rows(inFeatures), outFeatures, inFeatures, 1, 1, threads: 1);
    }

    /// <summary>
    /// Packs an nn.Linear weight [outFeatures, inFeatures] straight from its stored elements (a checkpoint's bytes,
    /// memory-mapped), converting F16, BF16 or F64 panel by panel, with the panels spread over <paramref name="threads"/>
    /// threads: no float32 copy of the whole tensor is made.
    /// </summary>
    public PackedMatrix PackLinear(ReadOnlySpan<byte> stored, DType dtype, int outFeatures, int inFeatures, int threads)
    {
        CheckStoredLinear(stored, dtype, outFeatures, inFeatures, threads);
        return Pack(stored, dtype, SourceLayout.Rows(inFeatures), outFeatures, inFeatures, 1, 1, threads);
    }

    /// <summary>
    /// Packs a part of an nn.Linear weight stored [outFeatures, inFeatures], straight from its stored elements as
    /// <see cref="PackLinear(ReadOnlySpan{byte}, DType, int, int, int)"/> does: the output features of
    /// <paramref name="rowRanges"/> (each a first row and a count), one after another, and of each the input features
    /// [<paramref name="firstColumn"/>, <paramref name="firstColumn"/> + <paramref name="columns"/>).
    /// </summary>
    internal PackedMatrix PackLinearPart(ReadOnlySpan<byte> stored, DType dtype, int outFeatures, int inFeatures, ReadOnlySpan<(int First, int Count)> rowRanges,
        int firstColumn, int columns, int threads)
    {
        CheckStoredLinear(stored, dtype, outFeatures, inFeatures, threads);
        Require(firstColumn >= 0 && columns > 0 && firstColumn + columns <= inFeatures, $"Columns [{firstColumn}, {firstColumn + columns}) must lie in [0, {inFeatures}).");
        var sourceRows = new List<int>();
        foreach (var (first, count) in rowRanges)
        {
            Require(first >= 0 && count > 0 && first + count <= outFeatures, $"Rows [{first}, {first + count}) must lie in [0, {outFeatures}).");
            sourceRows.AddRange(Enumerable.Range(first, count));
        }

        Require(sourceRows.Count > 0, "A part needs at least one range of rows.");
        return Pack(stored, dtype, new SourceLayout([.. sourceRows], inFeatures, firstColumn), sourceRows.Count, columns, 1, 1, threads);
    }

    /// <summary>Throws unless <paramref name="stored"/> holds an nn.Linear weight [outFeatures, inFeatures] of a float dtype, packed on at least one thread.</summary>
    private static void CheckStoredLinear(ReadOnlySpan<byte> stored, DType dtype, int outFeatures, int inFeatures, int threads)
    {
        Require(outFeatures > 0 && inFeatures > 0, "Linear weight dimensions must be positive.");
        Require(DTypes.IsFloatingPoint(dtype), $"Linear weight has dtype {dtype}; expected F32, F16, BF16 or F64.");
        Require(stored.Length == (long)outFeatures * inFeatures * DTypes.SizeOf(dtype),
            $"Linear weight has {stored.Length} bytes, expected {outFeatures}×{inFeatures} elements of {dtype}.");
        Require(threads >= 1, $"threads is {threads}; expected at least 1.");
    }

    /// <summary>Packs a Conv2d weight, [outChannels, inChannels, kernelH, kernelW], for channels-last <c>Conv2d</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public PackedMatrix PackConv(ReadOnlySpan<float> weight, int outChannels, int inChannels, int kernelH, int kernelW)
    {
        Require(outChannels > 0 && inChannels > 0 && kernelH > 0 && kernelW > 0, "Conv weight dimensions must be positive.");
        var k = inChannels * kernelH * kernelW;
        Require(weight.Length == (long)outChannels * k, $"Conv weight has {weight.Length} floats, expected {outChannels}×{inChannels}×{kernelH}×{kernelW}.");
        // Reorder K to (ky, kx, ci) so it matches the contiguous runs of a channels-last image.
        var reordered = new float[weight.Length];
        for (var o = 0; o < outChannels; o++)
        {
            for (var ci = 0; ci < inChannels; ci++)
            {
                for (var ky = 0; ky < kernelH; ky++)
                {
                    for (var kx = 0; kx < kernelW; kx++)
                    {
                        reordered[(o * k) + (((ky * kernelW) + kx) * inChannels) + ci] = weight[(o * k) + (((ci * kernelH) + ky) * kernelW) + kx];
                    }
                }
            }
        }

        return Pack(MemoryMarshal.AsBytes(reordered.AsSpan()), DType.F32, SourceLayout.Rows(k), outChannels, k, kernelH, kernelW, threads: 1);
    }

    /// <summary>Packs [n, k] stored elements laid out as <paramref name="source"/> says, in contiguous ranges of panels, one range per thread.</summary>
    private PackedMatrix Pack(ReadOnlySpan<byte> stored, DType dtype, SourceLayout source, int n, int k, int kernelH, int kernelW, int threads)
    {
        var nr = _impl.PanelWidth;
        var data = new AlignedBuffer(PackB.Size(n, k, nr));
        var panels = (n + nr - 1) / nr;
        var parts = Math.Min(threads, panels);
        fixed (byte* src = stored)
        {
            var packer = new PanelPacker(_impl, src, dtype, source, n, k, nr, data.Pointer);
            if (parts == 1)
            {
                packer.Pack(0, panels);
            }
            else
            {
                Parallel.For(0, parts, new ParallelOptions { MaxDegreeOfParallelism = parts },
                    part => packer.Pack(panels * part / parts, panels * (part + 1) / parts));
            }
        }

        return new PackedMatrix(Isa, n, k, nr, data, kernelH, kernelW);
    }

    /// <summary>
    /// Where the packed matrix's rows lie in the stored elements: row r at stored row <c>SourceRows[r]</c> (r itself
    /// when null), rows <see cref="Stride"/> elements apart, each starting at column <see cref="FirstColumn"/>.
    /// </summary>
    private sealed record SourceLayout(int[]? SourceRows, int Stride, int FirstColumn)
    {
        /// <summary>Whole rows of <paramref name="k"/> elements, in order.</summary>
        public static SourceLayout Rows(int k) => new(null, k, 0);

        public int Row(int r) => SourceRows is null ? r : SourceRows[r];

        /// <summary>Whether rows [first, first + count) are stored one after another, in order.</summary>
        public bool Consecutive(int first, int count)
        {
            if (SourceRows is null) return true;
            for (var r = 1; r < count; r++)
            {
                if (Row(first + r) != Row(first) + r) return false;
            }

            return true;
        }
    }

    /// <summary>
    /// Packs panels of stored rows: float32 rows that follow one another in place, others gathered (and converted) a
    /// panel's rows at a time.
    /// </summary>
    private readonly struct PanelPacker(KernelImpl impl, byte* src, DType dtype, SourceLayout source, int n, int k, int nr, float* dst)
    {
        public void Pack(int firstPanel, int endPanel)
        {
            var size = DTypes.SizeOf(dtype);
            var float32 = dtype == DType.F32 && BitConverter.IsLittleEndian;
            float[]? gathered = null;
            for (var panel = firstPanel; panel < endPanel; panel++)
            {
                var n0 = panel * nr;
                var width = Math.Min(nr, n - n0);
                if (float32 && source.Consecutive(n0, width))
                {
                    impl.PackRows((float*)(src + ((((long)source.Row(n0) * source.Stride) + source.FirstColumn) * size)), source.Stride, width, k, dst + ((long)n0 * k));
                    continue;
                }

                gathered ??= GC.AllocateUninitializedArray<float>(nr * k);
                fixed (float* scratch = gathered)
                {
                    for (var r = 0; r < width; r++)
                    {
                        var row = src + ((((long)source.Row(n0 + r) * source.Stride) + source.FirstColumn) * size);
                        ElementConversion.ToFloat32(dtype, new ReadOnlySpan<byte>(row, k * size), new Span<float>(scratch + ((long)r * k), k));
                    }

                    impl.PackRows(scratch, k, width, k, dst + ((long)n0 * k));
                }
            }
        }
    }

    private void CheckWeight(PackedMatrix weight)
    {
        ArgumentNullException.ThrowIfNull(weight);
        Require(weight.Isa == Isa, $"Weight was packed for {weight.Isa}, this kernel set is {Isa}.");
    }

    private static void CheckBias(ReadOnlySpan<float> bias, int n) =>
        Require(bias.IsEmpty || bias.Length >= n, $"bias has {bias.Length} floats, expected {n} (or none).");

    private static void Require(bool condition, string message)
    {
        if (!condition)
        {
            throw new ArgumentException(message);
        }
    }

    private static void Require(bool condition, [InterpolatedStringHandlerArgument(nameof(condition))] ref RequireMessage message)
    {
        if (!condition)
        {
            throw new ArgumentException(message.ToString());
        }
    }
}

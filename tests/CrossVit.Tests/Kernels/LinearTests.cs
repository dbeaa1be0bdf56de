using CrossVit.Runtime.Kernels;
using CrossVit.Runtime.Kernels.Gemm;
using CrossVit.Runtime.Kernels.Simd;
using CrossVit.Weights;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Xunit;
using static CrossVit.Tests.Kernels.KernelTestSupport;

namespace CrossVit.Tests.Kernels;

public class LinearTests
{
    // Edges of every ISA's micro-tile (Mr 4/6/8/12, Nr 2/8/16/32), M block (Mc 64..256) and K slice (Kc 256).
    internal static readonly Gen<(int Rows, int In, int Out, Epilogue Epilogue, bool Bias, int Seed)> Shapes =
        from rows in Dim(300, 4, 6, 8, 12, 16, 24, 64, 72, 96, 128, 252, 256)
        from inF in Dim(530, 8, 16, 32, 256, 512)
        from outF in Dim(100, 2, 8, 16, 32, 48, 64, 96)
        from epilogue in Gen.Elements(Enum.GetValues<Epilogue>())
        from bias in Gen.Elements(true, false)
        from seed in Seed
        select (rows, inF, outF, epilogue, bias, seed);

    public static TheoryData<Isa> Isas => SupportedIsas();

    [Property(MaxTest = Cases)]
    public Property LinearMatchesDoubleReference() =>
        OnEveryIsa(Shapes, (kernels, c) =>
        {
            var random = new Random(c.Seed);
            var x = RandomArray(random, c.Rows * c.In);
            var w = RandomArray(random, c.Out * c.In);
            var bias = c.Bias ? RandomArray(random, c.Out) : null;
            var y0 = RandomArray(random, c.Rows * c.Out);
            var y = (float[])y0.Clone();
            kernels.Linear(x, c.Rows, kernels.PackLinear(w, c.Out, c.In), bias, y, c.Epilogue);

            var (want, magnitude) = ReferenceKernels.Linear(x, c.Rows, w, c.Out, c.In, bias, c.Epilogue == Epilogue.Accumulate ? y0 : null);
            for (var i = 0; i < want.Length; i++)
            {
                want[i] = c.Epilogue switch
                {
                    Epilogue.Gelu => ReferenceKernels.Gelu(want[i]),
                    Epilogue.Relu => Math.Max(want[i], 0),
                    _ => want[i],
                };
            }

            AssertClose(y, want, magnitude, 1e-5, 2e-6, $"{c}");
        });

    private static readonly Gen<(int Out, int In, DType DType, int Threads, int Seed)> StoredShapes =
        from outF in Dim(100, 1, 2, 8, 16, 31, 32, 33, 64, 65)
        from inF in Dim(300, 1, 3, 16, 256)
        from dtype in Gen.Elements(DType.F32, DType.F16, DType.BF16, DType.F64)
        from threads in Gen.Choose(1, 4)
        from seed in Seed
        select (outF, inF, dtype, threads, seed);

    /// <summary>
    /// Packing a checkpoint's stored bytes in place (any float dtype, converted panel by panel, panels spread over
    /// threads) gives the GEMM exactly what packing the whole tensor converted to float32 gives.
    /// </summary>
    [Property(MaxTest = Cases)]
    public Property PackingStoredElementsEqualsPackingTheirFloat32Values() =>
        OnEveryIsa(StoredShapes, (kernels, c) =>
        {
            var random = new Random(c.Seed);
            var stored = new byte[c.Out * c.In * DTypes.SizeOf(c.DType)];
            ElementConversion.FromFloat32(c.DType, RandomArray(random, c.Out * c.In), stored);
            var values = new float[c.Out * c.In];
            ElementConversion.ToFloat32(c.DType, stored, values);
            var x = RandomArray(random, 5 * c.In);
            var expected = new float[5 * c.Out];
            var actual = new float[5 * c.Out];
            kernels.Linear(x, 5, kernels.PackLinear(values, c.Out, c.In), [], expected);
            kernels.Linear(x, 5, kernels.PackLinear(stored, c.DType, c.Out, c.In, c.Threads), [], actual);
            Assert.Equal(expected, actual);
        });

    /// <summary>
    /// Packing a part of the stored bytes (ranges of rows one after another, a range of columns: a head group's cut)
    /// gives the GEMM exactly what packing that part, copied out as float32, gives, whether the ranges' rows fill whole
    /// panels, follow one another across a panel or not.
    /// </summary>
    [Property(MaxTest = Cases)]
    public Property PackingAPartOfStoredElementsEqualsPackingItsFloat32Values() =>
        OnEveryIsa(
            from c in StoredShapes
            from ranges in Gen.Choose(1, 3)
            from firstColumn in Gen.Choose(0, c.In - 1)
            from columnSeed in Seed
            select (c.Out, c.In, c.DType, c.Threads, c.Seed, Ranges: ranges, FirstColumn: firstColumn, Columns: 1 + (columnSeed % (c.In - firstColumn))),
            (kernels, c) =>
            {
                var random = new Random(c.Seed);
                var stored = new byte[c.Out * c.In * DTypes.SizeOf(c.DType)];
                ElementConversion.FromFloat32(c.DType, RandomArray(random, c.Out * c.In), stored);
                var values = new float[c.Out * c.In];
                ElementConversion.ToFloat32(c.DType, stored, values);
                var rows = Enumerable.Range(0, c.Ranges).Select(_ => random.Next(c.Out)).Select(first => (First: first, Count: 1 + random.Next(c.Out - first))).ToArray();
                var part = rows.SelectMany(r => Enumerable.Range(r.First, r.Count)).SelectMany(row => values.AsSpan((row * c.In) + c.FirstColumn, c.Columns).ToArray()).ToArray();
                int n = rows.Sum(r => r.Count);
                var x = RandomArray(random, 5 * c.Columns);
                var expected = new float[5 * n];
                var actual = new float[5 * n];
                kernels.Linear(x, 5, kernels.PackLinear(part, n, c.Columns), [], expected);
                kernels.Linear(x, 5, kernels.PackLinearPart(stored, c.DType, c.Out, c.In, rows, c.FirstColumn, c.Columns, c.Threads), [], actual);
                Assert.Equal(expected, actual);
            });

    // Keys per head and weights: whole and ragged panels (every ISA's panel is 2, 8, 16 or 32 wide), K in whole
    // transpose blocks of 8 or 16 or with elements past them, rows wider than K.
    private static readonly Gen<(int N, int K, int Ld, float Scale, int Seed)> PackShapes =
        from n in Dim(200, 1, 16, 32, 64, 197)
        from k in Dim(80, 8, 16, 24, 32, 64)
        from pad in Gen.Choose(0, 9)
        from scale in Gen.Elements(1f, 0.25503486f, -3f)
        from seed in Seed
        select (n, k, k + pad, scale, seed);

    /// <summary>
    /// The vector packing (register transposes, gathers, a ragged panel's zeros) puts scale · w[n][k] at panel n / nr,
    /// row k, lane n % nr, and zero in the lanes past N, bit for bit, on every ISA: the attention packs its keys this way
    /// on every call, the weights at load.
    /// </summary>
    [Property(MaxTest = Cases)]
    public Property VectorPackingPutsEachScaledElementInItsPanelLane() =>
        Prop.ForAll(PackShapes.ToArbitrary(), c =>
        {
            foreach (var isa in KernelTestSupport.Isas)
            {
                OnSimdOf(isa, new PanelCheck(c.N, c.K, c.Ld, c.Scale, c.Seed));
            }
        });

    private readonly struct PanelCheck(int n, int k, int ld, float scale, int seed) : ISimdCheck
    {
        public unsafe void Run<TSimd, TVec>()
            where TSimd : ISimd<TVec>
            where TVec : struct
        {
            var nr = 2 * TSimd.Count;
            var source = RandomArray(new Random(seed), n * ld);
            var packed = new float[PackB.Size(n, k, nr)];
            Array.Fill(packed, float.NaN);
            fixed (float* src = source)
            fixed (float* dst = packed)
            {
                PackB.FromRows<TSimd, TVec>(src, ld, n, k, nr, dst, scale);
            }

            // Size(n, k, nr) is k rows of every panel: packed.Length / k columns, those past n the padding.
            for (var column = 0; column < packed.Length / k; column++)
            {
                for (var p = 0; p < k; p++)
                {
                    var slot = ((long)(column / nr) * nr * k) + ((long)p * nr) + (column % nr);
                    var want = column < n ? source[(column * ld) + p] * scale : 0f;
                    Assert.True(packed[slot].Equals(want), $"{typeof(TSimd).Name}, n {n}, k {k}, ld {ld}: column {column}, row {p} holds {packed[slot]}, want {want}");
                }
            }
        }
    }

    [Theory]
    [MemberData(nameof(Isas))]
    public void ConcurrentCallsAgree(Isa isa)
    {
        var kernels = KernelSet.Create(isa);
        var random = new Random(7);
        const int Rows = 67, In = 300, Out = 70;
        var x = RandomArray(random, Rows * In);
        var w = kernels.PackLinear(RandomArray(random, Out * In), Out, In);
        var expected = new float[Rows * Out];
        kernels.Linear(x, Rows, w, [], expected, Epilogue.Gelu);
        var results = new float[8][];
        Parallel.For(0, results.Length, i =>
        {
            results[i] = new float[Rows * Out];
            for (var repeat = 0; repeat < 20; repeat++)
            {
                kernels.Linear(x, Rows, w, [], results[i], Epilogue.Gelu);
            }
        });
        Assert.All(results, r => Assert.Equal(expected, r));
    }

    [Fact]
    public void RejectsWeightPackedForAnotherIsa()
    {
        var scalar = KernelSet.Create(Isa.Scalar);
        var other = KernelSet.Create(IsaSupport.Best == Isa.Scalar ? Isa.Scalar : IsaSupport.Best);
        var w = scalar.PackLinear(new float[6], 2, 3);
        if (other.Isa != Isa.Scalar)
        {
            Assert.Throws<ArgumentException>(() => other.Linear(new float[3], 1, w, [], new float[2]));
        }

        Assert.Throws<ArgumentException>(() => scalar.Linear(new float[2], 1, w, [], new float[2]));
    }
}

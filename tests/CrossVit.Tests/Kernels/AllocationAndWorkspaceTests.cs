using CrossVit.Runtime.Kernels;
using Xunit;
using static CrossVit.Tests.Kernels.KernelTestSupport;

namespace CrossVit.Tests.Kernels;

public class AllocationAndWorkspaceTests
{
    public static TheoryData<Isa> Isas => SupportedIsas();

    [Theory]
    [MemberData(nameof(Isas))]
    public void WarmCallsDoNotAllocate(Isa isa)
    {
        var kernels = KernelSet.Create(isa);
        var random = new Random(5);
        var x = RandomArray(random, 50 * 64);
        var y = new float[50 * 96];
        var w = kernels.PackLinear(RandomArray(random, 96 * 64), 96, 64);
        var conv = kernels.PackConv(RandomArray(random, 16 * 3 * 3 * 3), 16, 3, 3, 3);
        var image = RandomArray(random, 12 * 12 * 3);
        var convOut = new float[6 * 6 * 16];
        var gamma = RandomArray(random, 64);
        var scratch = new float[KernelSet.AttentionScratchSize(50, 50)];
        var attOut = new float[50 * 64];
        var resized = new float[20 * 20];

        Action[] calls =
        [
            () => kernels.Linear(x, 50, w, [], y, Epilogue.Gelu),
            () => kernels.Conv2d(image, 12, 12, conv, 2, 1, [], convOut, Epilogue.Relu),
            () => kernels.LayerNorm(x, 50, 64, gamma, gamma, 1e-6f, y),
            () => kernels.Gelu(x, y),
            () => kernels.Softmax(y.AsSpan(0, 64)),
            () => kernels.Attention(x, 64, x, 64, x, 64, 50, 50, 16, 0.25f, attOut, 64, 0, 4, scratch),
            () => kernels.Attention(x, 64, x, 64, x, 64, 1, 50, 16, 0.25f, attOut, 64, 0, 4, scratch),
            () => kernels.Resize(x, 1, 8, 8, resized, 20, 20, ResizeMode.Bicubic),
        ];
        for (var i = 0; i < calls.Length; i++)
        {
            var call = calls[i];
            call();
            var counts = Allocations.UntilZero(() =>
            {
                var before = GC.GetAllocatedBytesForCurrentThread();
                call();
                return GC.GetAllocatedBytesForCurrentThread() - before;
            });
            Assert.True(counts[^1] == 0, $"call {i} allocated {string.Join(", then ", counts)} bytes");
        }
    }

    [Theory]
    [MemberData(nameof(Isas))]
    public void CallerWorkspaceOverloadsMatchPublicOnes(Isa isa)
    {
        var kernels = KernelSet.Create(isa);
        var random = new Random(9);
        var image = RandomArray(random, 17 * 13 * 5);
        var conv = kernels.PackConv(RandomArray(random, 40 * 5 * 3 * 3), 40, 5, 3, 3);
        var (oh, ow) = KernelSet.ConvOutputSize(17, 13, 3, 3, 2, 1);
        var expected = new float[oh * ow * 40];
        var actual = new float[oh * ow * 40];
        kernels.Conv2d(image, 17, 13, conv, 2, 1, [], expected, Epilogue.Relu);
        // In bands, as threads compute one image: bit-identical to the whole.
        foreach (var (first, count) in new[] { (0, 5), (5, 1), (6, (oh * ow) - 6) })
            kernels.Conv2d(image, 17, 13, conv, 2, 1, [], actual, Epilogue.Relu, first, count, new float[kernels.ConvWorkspaceSize]);
        Assert.Equal(expected, actual);

        // A GEMM in bands of weight panels, as threads split one: bit-identical to the whole, epilogue included.
        var linear = kernels.PackLinear(RandomArray(random, 100 * 24), 100, 24);
        var bias = RandomArray(random, 100);
        var rows = RandomArray(random, 19 * 24);
        var linearExpected = RandomArray(random, 19 * 100);
        var linearActual = linearExpected.ToArray();
        var panel = linear.PanelWidth;
        kernels.Linear(rows, 19, linear, bias, linearExpected, Epilogue.Accumulate);
        for (var first = 0; first < 100; first += panel)
            kernels.Linear(rows, 19, linear, bias, linearActual, Epilogue.Accumulate, first, Math.Min(panel, 100 - first));
        Assert.Equal(linearExpected, linearActual);

        var qkv = RandomArray(random, 70 * 96);
        var attExpected = new float[70 * 32];
        var attActual = new float[70 * 32];
        var scratch = new float[KernelSet.AttentionScratchSize(70, 70)];
        kernels.Attention(qkv, 96, qkv.AsSpan(32), 96, qkv.AsSpan(64), 96, 70, 70, 8, 0.3f, attExpected, 32, 0, 4, scratch);
        kernels.Attention(qkv, 96, qkv.AsSpan(32), 96, qkv.AsSpan(64), 96, 70, 70, 8, 0.3f, attActual, 32, 0, 4, scratch, new float[kernels.AttentionWorkspaceSize(70, 70, 8)]);
        Assert.Equal(attExpected, attActual);

        var resizedExpected = new float[2 * 9 * 11];
        var resizedActual = new float[2 * 9 * 11];
        kernels.Resize(image, 2, 7, 5, resizedExpected, 9, 11, ResizeMode.Bilinear);
        // In bands of rows that cross the planes' boundary, as threads split one image.
        foreach (var (first, count) in new[] { (0, 5), (5, 7), (12, 6) })
            kernels.Resize(image, 2, 7, 5, resizedActual, 9, 11, ResizeMode.Bilinear, new float[kernels.ResizeWorkspaceSize(5, 9, 11)], first, count);
        Assert.Equal(resizedExpected, resizedActual);
    }
}

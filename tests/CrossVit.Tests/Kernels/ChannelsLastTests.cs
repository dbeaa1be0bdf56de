using CrossVit.Runtime.Kernels;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Xunit;
using static CrossVit.Tests.Kernels.KernelTestSupport;

namespace CrossVit.Tests.Kernels;

public class ChannelsLastTests
{
    // Channel counts on both sides of the permuted (≤ 4) and the gathered (≤ 16) paths' limits; windows cropped anywhere, rows in bands.
    private static readonly Gen<(int Channels, int Size, int SrcH, int SrcW, int Top, int Left, int FirstRow, int Rows, int Seed)> Shapes =
        from channels in Gen.OneOf(Gen.Choose(1, 5), Gen.Elements(16, 17))
        from size in Dim(70, 1, 15, 16, 17, 32)
        from extraH in Gen.Choose(0, 9)
        from extraW in Gen.Choose(0, 9)
        from top in Gen.Choose(0, extraH)
        from left in Gen.Choose(0, extraW)
        from firstRow in Gen.Choose(0, size)
        from rows in Gen.Choose(0, size - firstRow)
        from seed in Seed
        select (channels, size, size + extraH, size + extraW, top, left, firstRow, rows, seed);

    [Property(MaxTest = Cases)]
    public Property CopiesTheWindowChannelsLast() =>
        OnEveryIsa(Shapes, (kernels, c) =>
        {
            var src = RandomArray(new Random(c.Seed), c.Channels * c.SrcH * c.SrcW);
            var dst = Enumerable.Repeat(float.NaN, c.Size * c.Size * c.Channels).ToArray();
            kernels.ChannelsLast(src, c.Channels, c.SrcH, c.SrcW, c.Top, c.Left, c.Size, dst, c.FirstRow, c.Rows);
            for (int y = 0; y < c.Size; y++)
            {
                for (int x = 0; x < c.Size; x++)
                {
                    for (int ch = 0; ch < c.Channels; ch++)
                    {
                        float got = dst[(((y * c.Size) + x) * c.Channels) + ch];
                        bool inBand = y >= c.FirstRow && y < c.FirstRow + c.Rows;
                        float want = inBand ? src[(ch * c.SrcH * c.SrcW) + ((c.Top + y) * c.SrcW) + c.Left + x] : float.NaN;
                        Assert.True(inBand ? got == want : float.IsNaN(got), $"{c}: ({y}, {x}, {ch}) = {got}, want {want}");
                    }
                }
            }
        });

    [Fact]
    public void RejectsAWindowOutsideTheImage()
    {
        var kernels = KernelSet.Create(IsaSupport.Best);
        var error = Assert.Throws<ArgumentException>(() => kernels.ChannelsLast(new float[3 * 10 * 10], 3, 10, 10, 2, 0, 9, new float[9 * 9 * 3], 0, 9));
        Assert.Contains("does not fit", error.Message);
    }
}

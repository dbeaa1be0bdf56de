using CrossVit.Weights;
using FsCheck;
using FsCheck.Fluent;
using Xunit;

namespace CrossVit.Tests.Weights;

/// <summary>Corrupted files must either still read or raise <see cref="TensorFormatException"/>; nothing else.</summary>
public class MutationTests
{
    private static readonly Config Cases = Config.QuickThrowOnFailure.WithMaxTest(300);

    [Fact]
    public void CorruptedSafetensorsFilesFailCleanly()
    {
        byte[] valid = new SafetensorsWriter()
            .AddMetadata("k", "v")
            .Add("a", DType.F32, [2, 3], [1, 2, 3, 4, 5, 6])
            .Add("b", DType.BF16, [3], [1, 2, 3])
            .Add("c", DType.F16, [0], [])
            .ToArray();
        Prop.ForAll(Mutations(valid).ToArbitrary(), bytes => ReadsOrFailsCleanly(() =>
        {
            using var file = SafetensorsFile.FromBytes(bytes);
            foreach (var t in file.Tensors.Where(t => DTypes.IsFloatingPoint(t.DType)))
            {
                Assert.Equal(t.ElementCount, file.ReadFloat32(t.Name).Length);
            }
        })).Check(Cases);
    }

    [Fact]
    public void CorruptedNpyFilesFailCleanly()
    {
        using var stream = new MemoryStream();
        Npy.Write(stream, [2, 3], [1, 2, 3, 4, 5, 6]);
        Prop.ForAll(Mutations(stream.ToArray()).ToArbitrary(), bytes => ReadsOrFailsCleanly(() =>
        {
            var array = Npy.Parse(bytes);
            Assert.Equal(array.ElementCount, array.ToFloat32().Length);
            Assert.Equal(array.ElementCount, Npy.Read(new MemoryStream(bytes)).ElementCount);
        })).Check(Cases);
    }

    /// <summary>Bit flips, byte overwrites and truncations of <paramref name="valid"/>.</summary>
    private static Gen<byte[]> Mutations(byte[] valid)
    {
        var position = Gen.Choose(0, valid.Length - 1);
        var flip = Gen.Zip(position, Gen.Choose(0, 7)).Select(p => Edit(valid, b => b[p.Item1] ^= (byte)(1 << p.Item2)));
        var overwrite = Gen.Zip(position, Gen.Choose(0, 255)).Select(p => Edit(valid, b => b[p.Item1] = (byte)p.Item2));
        var truncate = position.Select(n => valid[..n]);
        var several = Gen.ArrayOf(Gen.Zip(position, Gen.Choose(0, 255)), 4)
            .Select(ps => Edit(valid, b => Array.ForEach(ps, p => b[p.Item1] = (byte)p.Item2)));
        return Gen.OneOf(flip, overwrite, truncate, several);
    }

    private static byte[] Edit(byte[] valid, Action<byte[]> edit)
    {
        byte[] copy = (byte[])valid.Clone();
        edit(copy);
        return copy;
    }

    private static bool ReadsOrFailsCleanly(Action read)
    {
        try
        {
            read();
        }
        catch (TensorFormatException)
        {
        }

        return true;
    }
}

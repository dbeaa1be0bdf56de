using System.Buffers.Binary;
using System.Globalization;
using System.Text;
using FsCheck;
using FsCheck.Fluent;

namespace CrossVit.Tests.Fuzzing;

/// <summary>A binary integer field of a seed file (a length, offset or dimension) that mutations set to edge values.</summary>
internal readonly record struct Field(int Offset, int Size, bool BigEndian)
{
    public ulong Read(byte[] data) => Size switch
    {
        1 => data[Offset],
        2 => BigEndian ? BinaryPrimitives.ReadUInt16BigEndian(data.AsSpan(Offset)) : BinaryPrimitives.ReadUInt16LittleEndian(data.AsSpan(Offset)),
        4 => BigEndian ? BinaryPrimitives.ReadUInt32BigEndian(data.AsSpan(Offset)) : BinaryPrimitives.ReadUInt32LittleEndian(data.AsSpan(Offset)),
        _ => BigEndian ? BinaryPrimitives.ReadUInt64BigEndian(data.AsSpan(Offset)) : BinaryPrimitives.ReadUInt64LittleEndian(data.AsSpan(Offset)),
    };

    public void Write(byte[] data, ulong value)
    {
        for (int i = 0; i < Size; i++)
        {
            int shift = 8 * (BigEndian ? Size - 1 - i : i);
            data[Offset + i] = (byte)(value >> shift);
        }
    }
}

/// <summary>
/// Where a seed keeps its text header (safetensors' JSON, .npy's dict, a PNM header, a whole config) and how to
/// rewrite the binary length that frames it once a mutation has changed its size.
/// </summary>
internal sealed record TextRegion(int Start, int Length, Action<byte[], int>? SetLength = null);

/// <summary>A valid file to mutate, with the fields and text that the parser trusts most.</summary>
internal sealed record Seed(string Name, byte[] Bytes, IReadOnlyList<Field> Fields, TextRegion? Text = null);

/// <summary>
/// The mutation engine shared by every format: bit flips, byte overwrites, truncation, inserted and deleted runs,
/// binary length/dimension fields set to zero, one, negative or huge values, and numbers in text headers replaced
/// by such values (with the framing length fixed, so that the parser gets past it).
/// </summary>
internal static class Mutator
{
    /// <summary>Values that break length arithmetic: zero, one, sign bits, all ones, 2^31, 2^32, and their neighbours.</summary>
    private static readonly ulong[] EdgeValues =
    [
        0, 1, 2, 3, 7, 8, 255, 256, 0x7FFF, 0x8000, 0xFFFF, 0x10000, 0x7FFF_FFFF, 0x8000_0000, 0xFFFF_FFFF,
        0x1_0000_0000, 0x7FFF_FFFF_FFFF_FFFF, 0x8000_0000_0000_0000, ulong.MaxValue, ulong.MaxValue - 1,
    ];

    /// <summary>The same values as text, plus forms a lenient parser might misread.</summary>
    private static readonly string[] EdgeNumbers =
    [
        "0", "1", "-1", "-0", "2", "65535", "65536", "2147483647", "2147483648", "-2147483648", "4294967295",
        "4294967296", "9007199254740993", "9223372036854775807", "9223372036854775808", "18446744073709551616",
        "99999999999999999999999999", "1e9", "1e400", "-1e400", "1.5", "0.0", "1E+2", "0x10", "00000000001",
    ];

    public static Gen<byte[]> Mutations(IReadOnlyList<Seed> seeds, Func<byte[], byte[]>? fixup = null)
    {
        var mutated =
            from seed in Gen.Elements(seeds.ToArray())
            from kind in Gen.Choose(0, 99)
            from edit in Edit(seed, kind)
            select edit;
        return fixup is null ? mutated : Gen.Zip(mutated, Gen.Elements(true, false)).Select(p => p.Item2 ? fixup(p.Item1) : p.Item1);
    }

    /// <summary>One edit of <paramref name="seed"/>; <paramref name="kind"/> picks it, weighted towards the headers.</summary>
    private static Gen<byte[]> Edit(Seed seed, int kind)
    {
        byte[] bytes = seed.Bytes;
        // Most parsing logic lives in the first kilobyte; the rest is mostly data.
        Gen<int> position = Gen.Frequency((3, Gen.Choose(0, Math.Min(bytes.Length, 1024) - 1)), (1, Gen.Choose(0, bytes.Length - 1)));
        return kind switch
        {
            < 20 when seed.Fields.Count > 0 => from f in Gen.Elements(seed.Fields.ToArray())
                                               from v in FieldValue(f.Read(bytes))
                                               select Copy(bytes, b => f.Write(b, v)),
            < 35 when seed.Text is not null => TextNumber(seed),
            < 50 => from p in position from bit in Gen.Choose(0, 7) select Copy(bytes, b => b[p] ^= (byte)(1 << bit)),
            < 60 => from ps in Gen.ArrayOf(Gen.Zip(position, Gen.Choose(0, 255)), 4) select Copy(bytes, b => Array.ForEach(ps, p => b[p.Item1] = (byte)p.Item2)),
            < 75 => from p in position select bytes[..p],
            < 85 => from p in position from n in Gen.Choose(1, 64) select bytes[..p].Concat(bytes[Math.Min(bytes.Length, p + n)..]).ToArray(),
            < 95 => from p in position
                    from run in Gen.ArrayOf(Gen.Elements<byte>(0, 0xFF, 0x7F, 0x80, 1, (byte)'9'), 1 + (p % 16))
                    select bytes[..p].Concat(run).Concat(bytes[p..]).ToArray(),
            _ => from p in position select Copy(bytes, b => b[p] = 0xFF),
        };
    }

    private static Gen<ulong> FieldValue(ulong original) => Gen.OneOf(
        Gen.Elements(EdgeValues),
        Gen.Elements(original + 1, original - 1, original * 2, original / 2, original << 16),
        Gen.Choose(0, int.MaxValue).Select(v => (ulong)v));

    /// <summary>Replaces one number of the text header and fixes the framing length, if the format has one.</summary>
    private static Gen<byte[]> TextNumber(Seed seed)
    {
        var text = seed.Text!;
        string header = Encoding.Latin1.GetString(seed.Bytes, text.Start, text.Length);
        var numbers = System.Text.RegularExpressions.Regex.Matches(header, @"-?[0-9]+(\.[0-9]+)?([eE][+-]?[0-9]+)?");
        if (numbers.Count == 0) return Gen.Constant(seed.Bytes);
        return from m in Gen.Elements(numbers.ToArray())
               from replacement in Gen.Elements(EdgeNumbers)
               select Splice(seed, header[..m.Index] + replacement + header[(m.Index + m.Length)..]);
    }

    private static byte[] Splice(Seed seed, string header)
    {
        var text = seed.Text!;
        byte[] middle = Encoding.Latin1.GetBytes(header);
        byte[] result = [.. seed.Bytes.AsSpan(0, text.Start), .. middle, .. seed.Bytes.AsSpan(text.Start + text.Length)];
        text.SetLength?.Invoke(result, middle.Length);
        return result;
    }

    private static byte[] Copy(byte[] bytes, Action<byte[]> edit)
    {
        byte[] copy = (byte[])bytes.Clone();
        edit(copy);
        return copy;
    }

    /// <summary>A number as a JSON or Python literal would write it, for the structured generators.</summary>
    public static Gen<string> NumberText() => Gen.OneOf(
        Gen.Elements(EdgeNumbers),
        Gen.Choose(-3, 64).Select(v => v.ToString(CultureInfo.InvariantCulture)));

    /// <summary>An edge value or a small integer, for binary fields of the structured generators.</summary>
    public static Gen<ulong> FieldNumber() => Gen.OneOf(Gen.Elements(EdgeValues), Gen.Choose(0, 64).Select(v => (ulong)v));
}

using System.Buffers.Binary;
using System.Runtime.Intrinsics;

namespace CrossVit.Imaging;

/// <summary>
/// Eight 8-bit samples into and out of 16-bit vector lanes, for the 128-bit loops of the decoders and the resize: one
/// 64-bit load or store, which every ISA has.
/// </summary>
internal static class EightSamples
{
    /// <summary>The first eight bytes of <paramref name="source"/>, widened to 16 bits.</summary>
    public static Vector128<ushort> Load(ReadOnlySpan<byte> source) =>
        Vector128.WidenLower(Vector128.CreateScalar(BinaryPrimitives.ReadUInt64LittleEndian(source)).AsByte());

    /// <summary>Writes eight 16-bit lanes, each at most 255, as the first eight bytes of <paramref name="destination"/>.</summary>
    public static void Store(Vector128<ushort> samples, Span<byte> destination) =>
        BinaryPrimitives.WriteUInt64LittleEndian(destination, Vector128.Narrow(samples, samples).AsUInt64().ToScalar());
}

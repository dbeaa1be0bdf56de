using CrossVit.Runtime.Config;
using CrossVit.Runtime.Engine;
using CrossVit.Runtime.Kernels;
using CrossVit.Runtime.Profiling;

namespace CrossVit.Runtime.Model.Layers;

/// <summary>
/// <c>PatchEmbed</c>: a convolution with kernel = stride = patch, or for dagger models the three-conv stem
/// (conv → ReLU → conv → ReLU → conv). Runs channels-last: image [S, S, cin] → tokens [patches, dim].
/// </summary>
internal sealed class PatchEmbed(IReadOnlyList<ConvShape> shapes, PackedMatrix[] weights, float[][] biases, OpSite[] sites)
{
    public static PatchEmbed Load(IWeightSource w, WeightPath p, CrossVitConfig config, int branch)
    {
        var shapes = config.StemConvs(branch);
        var weights = new PackedMatrix[shapes.Count];
        var biases = new float[shapes.Count][];
        var sites = new OpSite[shapes.Count];
        for (int c = 0; c < shapes.Count; c++)
        {
            // multi_conv's stem is an nn.Sequential of conv, ReLU, conv, ReLU, conv: the convolutions are its even children.
            var conv = config.MultiConv ? p.Pp("proj").Pp(2 * c) : p.Pp("proj");
            var s = shapes[c];
            weights[c] = w.PackConv(conv.Name("weight"), s.OutChannels, s.InChannels, s.Kernel);
            biases[c] = w.Read(conv.Name("bias"), s.OutChannels);
            sites[c] = new(OpKind.PatchEmbedding, conv.Prefix);
        }
        return new(shapes, weights, biases, sites);
    }

    /// <summary>Floats of the largest intermediate activation of the stem for a <paramref name="size"/>² input (0 without a stem).</summary>
    public int ScratchSize(int size)
    {
        int largest = 0, side = size;
        for (int c = 0; c < shapes.Count - 1; c++)
        {
            side = shapes[c].OutputSize(side);
            largest = Math.Max(largest, side * side * shapes[c].OutChannels);
        }
        return largest;
    }

    /// <summary>Its multiply-adds on a <paramref name="size"/>² image: each convolution's weights once per output pixel.</summary>
    public long MultiplyAdds(int size) => Cost(size).Gemms.Sum(g => g.Rows * g.Weights);

    /// <summary>Its convolutions on a <paramref name="size"/>² image, each a GEMM over the output pixels, for the branch scheduler.</summary>
    public BranchCost Cost(int size)
    {
        var gemms = new GemmCost[shapes.Count];
        for (int c = 0, side = size; c < shapes.Count; c++)
        {
            var s = shapes[c];
            side = s.OutputSize(side);
            gemms[c] = new(side * side, (long)s.InChannels * s.Kernel * s.Kernel * s.OutChannels, PerImage: true);
        }
        return new(gemms, []);
    }

    /// <summary>
    /// image: [size, size, cin] channels-last; tokens: [patches, dim] += the embedding (so the caller can lay the position
    /// embedding down first and have the last convolution add onto it). scratch: two buffers of <see cref="ScratchSize"/>.
    /// </summary>
    public void Forward(ParallelKernels k, ReadOnlySpan<float> image, int size, Span<float> tokens, Span<float> scratchA, Span<float> scratchB)
    {
        ReadOnlySpan<float> x = image;
        int side = size;
        for (int c = 0; c < shapes.Count; c++)
        {
            var s = shapes[c];
            int outSide = s.OutputSize(side);
            bool last = c == shapes.Count - 1;
            var y = last ? tokens : (c % 2 == 0 ? scratchA : scratchB);
            y = y[..(outSide * outSide * s.OutChannels)];
            k.Conv2d(x, side, side, weights[c], s.Stride, s.Padding, biases[c], y, last ? Epilogue.Accumulate : Epilogue.Relu, sites[c]);
            x = y;
            side = outSide;
        }
    }
}

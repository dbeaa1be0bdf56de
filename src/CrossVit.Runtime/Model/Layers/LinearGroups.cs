using CrossVit.Runtime.Engine;
using CrossVit.Runtime.Kernels;
using CrossVit.Runtime.Profiling;

namespace CrossVit.Runtime.Model.Layers;

/// <summary>How <see cref="LinearGroups"/> cuts an nn.Linear weight [out, in] between its two groups.</summary>
internal enum GroupCut
{
    /// <summary>Group g computes output features [g·out/2, (g+1)·out/2): half of fc1's hidden features.</summary>
    Outputs,

    /// <summary>Group g computes half g of each of q, k and v: the q, k and v of its half of the heads.</summary>
    QkvOutputs,

    /// <summary>Group g multiplies input features [g·in/2, (g+1)·in/2), its half of the heads or hidden features: proj, fc2.</summary>
    Inputs,
}

/// <summary>
/// An nn.Linear split between two groups, as Megatron-LM splits a transformer block between GPUs: qkv and fc1 by
/// output features, so a group's heads and hidden features come out in a buffer of its own; proj and fc2 by input
/// features, so each group multiplies only what it computed. There group 0 adds its product and the bias into the
/// tokens in its GEMM, and group 1 writes its product aside, added next (<see cref="KernelSet.AddInPlace"/>). On two
/// workers each then reads and writes only its own group's activations from qkv to its product, and a block moves
/// about 300 KB between the cores where a split by weight panels moves 800 KB (design.md, "Head groups"). The split is
/// the model's, not the session's: one thread computes both groups and adds them in the same order, so results stay
/// bit-identical for any thread count.
/// </summary>
internal sealed class LinearGroups(PackedMatrix weight0, PackedMatrix weight1, float[] bias0, float[] bias1, int inFeatures, int outFeatures, GroupCut cut, OpSite site)
{
    /// <summary>Features per group at the cut side, all features at the other.</summary>
    public int GroupIn => cut == GroupCut.Inputs ? inFeatures / 2 : inFeatures;

    /// <summary>Output features each group computes.</summary>
    public int GroupOut => cut == GroupCut.Inputs ? outFeatures : outFeatures / 2;

    public int In => inFeatures;

    public int Out => outFeatures;

    public static LinearGroups Load(IWeightSource w, WeightPath p, int inFeatures, int outFeatures, GroupCut cut, OpKind kind, bool hasBias = true)
    {
        var (weight0, weight1) = w.PackLinearGroups(p.Name("weight"), outFeatures, inFeatures, cut);
        var bias = hasBias ? w.Read(p.Name("bias"), outFeatures) : [];
        // Cut by inputs, group 0 adds the whole bias with its product; cut by outputs, the bias is cut alike (the layout
        // recorder reads none).
        var (bias0, bias1) = cut == GroupCut.Inputs || bias.Length != outFeatures ? (bias, []) : (OutputHalf(bias, 1, cut, 0), OutputHalf(bias, 1, cut, 1));
        return new(weight0, weight1, bias0, bias1, inFeatures, outFeatures, cut, new(kind, p.Prefix));
    }

    /// <summary>Group <paramref name="group"/>'s part of a row-major weight [out, in].</summary>
    public static float[] Cut(float[] weight, int outFeatures, int inFeatures, GroupCut cut, int group) =>
        cut == GroupCut.Inputs ? InputHalf(weight, outFeatures, inFeatures, group) : OutputHalf(weight, inFeatures, cut, group);

    /// <summary>Input features [g·in/2, (g+1)·in/2) of every row of a weight [out, in].</summary>
    private static float[] InputHalf(float[] weight, int rows, int columns, int group)
    {
        int half = columns / 2;
        var part = new float[rows * half];
        for (int r = 0; r < rows; r++) Array.Copy(weight, (r * columns) + (group * half), part, r * half, half);
        return part;
    }

    /// <summary>Group g's output features of <paramref name="values"/>, <paramref name="width"/> floats per feature (a weight's rows; 1 for a bias).</summary>
    private static float[] OutputHalf(float[] values, int width, GroupCut cut, int group)
    {
        int sections = cut == GroupCut.QkvOutputs ? 3 : 1, section = values.Length / width / sections, half = section / 2;
        var part = new float[values.Length / 2];
        for (int s = 0; s < sections; s++)
            Array.Copy(values, ((s * section) + (group * half)) * width, part, s * half * width, half * width);
        return part;
    }

    /// <summary>Its multiply-adds over <paramref name="rows"/> rows.</summary>
    public long MultiplyAdds(int rows) => (long)rows * In * Out;

    /// <summary>Its GEMM over <paramref name="rows"/> rows per image, for the branch scheduler.</summary>
    public GemmCost Cost(int rows) => new(rows, (long)In * Out);

    /// <summary>Cut by outputs: y = [group, rows, GroupOut], group g's features epilogue(x · W_gᵀ + b_g), from x[rows, in].</summary>
    public void Forward(ParallelKernels k, ReadOnlySpan<float> x, int rows, Span<float> y, Epilogue epilogue = Epilogue.None)
    {
        int size = rows * GroupOut;
        k.LinearGroups(x[..(rows * In)], x[..(rows * In)], rows, weight0, weight1, bias0, bias1, y[..size], y[size..(2 * size)], epilogue, epilogue, site);
    }

    /// <summary>
    /// Cut by inputs: residual[rows, out] += x_0 · W_0ᵀ + b, then += x_1 · W_1ᵀ, from x = [group, rows, GroupIn];
    /// <paramref name="partial"/> (rows × out floats) holds group 1's product in between.
    /// </summary>
    public void AddTo(ParallelKernels k, ReadOnlySpan<float> x, int rows, Span<float> residual, Span<float> partial)
    {
        int inSize = rows * GroupIn, size = rows * Out;
        k.LinearGroups(x[..inSize], x[inSize..(2 * inSize)], rows, weight0, weight1, bias0, bias1, residual[..size], partial[..size],
            Epilogue.Accumulate, Epilogue.None, site);
        k.AddInPlace(residual[..size], partial[..size], rows, Out, site);
    }
}

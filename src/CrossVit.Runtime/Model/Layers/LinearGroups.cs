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
    : ILinearLayer
{
    /// <summary>Input features each group multiplies: half of them when cut by inputs, all of them otherwise.</summary>
    public int GroupIn => cut == GroupCut.Inputs ? inFeatures / 2 : inFeatures;

    /// <summary>Output features each group computes.</summary>
    public int GroupOut => cut == GroupCut.Inputs ? outFeatures : outFeatures / 2;

    public int In => inFeatures;

    public int Out => outFeatures;

    public static LinearGroups Load(IWeightSource w, WeightPath p, int inFeatures, int outFeatures, GroupCut cut, OpKind kind, bool hasBias = true)
    {
        var (weight0, weight1) = w.PackLinearGroups(p.Name("weight"), outFeatures, inFeatures, cut);
        var bias = hasBias ? w.Read(p.Name("bias"), outFeatures) : [];
        // Cut by inputs, group 0 adds the whole bias with its product; cut by outputs, each group takes its features' (the
        // layout recorder reads none).
        var (bias0, bias1) = cut == GroupCut.Inputs || bias.Length != outFeatures
            ? (bias, [])
            : (BiasOf(bias, Part(cut, outFeatures, inFeatures, 0).Rows), BiasOf(bias, Part(cut, outFeatures, inFeatures, 1).Rows));
        return new(weight0, weight1, bias0, bias1, inFeatures, outFeatures, cut, new(kind, p.Prefix));
    }

    /// <summary>
    /// What group <paramref name="group"/> takes of a weight [out, in]: its output features (ranges of rows, one after
    /// another) and its input features (a range of columns).
    /// </summary>
    public static ((int First, int Count)[] Rows, int FirstColumn, int Columns) Part(GroupCut cut, int outFeatures, int inFeatures, int group)
    {
        if (cut == GroupCut.Inputs) return ([(0, outFeatures)], group * (inFeatures / 2), inFeatures / 2);
        int sections = cut == GroupCut.QkvOutputs ? 3 : 1, section = outFeatures / sections, half = section / 2;
        return ([.. Enumerable.Range(0, sections).Select(s => ((s * section) + (group * half), half))], 0, inFeatures);
    }

    private static float[] BiasOf(float[] bias, (int First, int Count)[] rows) => [.. rows.SelectMany(r => bias.AsSpan(r.First, r.Count).ToArray())];

    /// <summary>Its multiply-adds over <paramref name="rows"/> rows.</summary>
    public long MultiplyAdds(int rows) => (long)rows * In * Out;

    /// <summary>Its GEMM over <paramref name="rows"/> rows per image, for the branch scheduler.</summary>
    public GemmCost Cost(int rows) => new(rows, (long)In * Out);

    /// <summary>Cut by outputs: y = [group, rows, GroupOut], group g's features epilogue(x · W_gᵀ + b_g), from x[rows, in].</summary>
    public void Forward(ParallelKernels k, ReadOnlySpan<float> x, int rows, Span<float> y, Epilogue epilogue = Epilogue.None)
    {
        if (cut == GroupCut.Inputs) throw new InvalidOperationException($"{site.Layer} is cut by input features: its groups' products are added into a residual (AddTo).");
        int size = rows * GroupOut;
        k.LinearGroups(x[..(rows * In)], x[..(rows * In)], rows, weight0, weight1, bias0, bias1, y[..size], y[size..(2 * size)], epilogue, epilogue, site);
    }

    /// <summary>
    /// Cut by inputs: residual[rows, out] += x_0 · W_0ᵀ + b, then += x_1 · W_1ᵀ, from x = [group, rows, GroupIn];
    /// <paramref name="partial"/> (rows × out floats) holds group 1's product in between where the groups may run on
    /// two workers (<see cref="ParallelKernels.AddLinearGroups"/>).
    /// </summary>
    public void AddTo(ParallelKernels k, ReadOnlySpan<float> x, int rows, Span<float> residual, Span<float> partial)
    {
        if (cut != GroupCut.Inputs) throw new InvalidOperationException($"{site.Layer} is cut by output features: its groups' outputs are written side by side (Forward).");
        int inSize = rows * GroupIn, size = rows * Out;
        k.AddLinearGroups(x[..inSize], x[inSize..(2 * inSize)], rows, weight0, weight1, bias0, residual[..size], partial[..size], site);
    }
}

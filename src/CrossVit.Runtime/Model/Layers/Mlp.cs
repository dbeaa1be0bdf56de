using CrossVit.Runtime.Engine;
using CrossVit.Runtime.Kernels;
using CrossVit.Runtime.Profiling;
using CrossVit.Runtime.Threading;

namespace CrossVit.Runtime.Model.Layers;

/// <summary>timm's <c>Mlp</c> as a residual branch: x += fc2(gelu(fc1(xn))), whole or in two groups of hidden features (<see cref="LinearGroups"/>).</summary>
internal abstract class Mlp(ILinearLayer fc1, ILinearLayer fc2)
{
    public static Mlp Load(IWeightSource w, WeightPath p, int dim, int hidden, bool grouped) => grouped
        ? new Grouped(LinearGroups.Load(w, p.Pp("fc1"), dim, hidden, GroupCut.Outputs, OpKind.Fc1Gelu),
            LinearGroups.Load(w, p.Pp("fc2"), hidden, dim, GroupCut.Inputs, OpKind.Fc2))
        : new Whole(Linear.Load(w, p.Pp("fc1"), dim, hidden, OpKind.Fc1Gelu), Linear.Load(w, p.Pp("fc2"), hidden, dim, OpKind.Fc2));

    /// <summary>Its multiply-adds on <paramref name="tokens"/> tokens of one image.</summary>
    public long MultiplyAdds(int tokens) => fc1.MultiplyAdds(tokens) + fc2.MultiplyAdds(tokens);

    /// <summary>Its work on <paramref name="tokens"/> tokens per image, for the branch scheduler.</summary>
    public BranchCost Cost(int tokens) => new([fc1.Cost(tokens), fc2.Cost(tokens)], []);

    /// <summary>x [rows, dim] += the MLP of xn (same shape).</summary>
    public abstract void AddTo(ParallelKernels k, ReadOnlySpan<float> xn, Span<float> x, int rows, Workspace ws);

    private sealed class Whole(Linear fc1, Linear fc2) : Mlp(fc1, fc2)
    {
        public override void AddTo(ParallelKernels k, ReadOnlySpan<float> xn, Span<float> x, int rows, Workspace ws)
        {
            int mark = ws.Mark();
            var hidden = ws.Take(rows * fc1.Out);
            fc1.Forward(k, xn, rows, hidden, Epilogue.Gelu);
            fc2.Forward(k, hidden, rows, x, Epilogue.Accumulate);
            ws.Release(mark);
        }
    }

    private sealed class Grouped(LinearGroups fc1, LinearGroups fc2) : Mlp(fc1, fc2)
    {
        public override void AddTo(ParallelKernels k, ReadOnlySpan<float> xn, Span<float> x, int rows, Workspace ws)
        {
            int mark = ws.Mark();
            var hidden = ws.Take(rows * fc1.Out);                 // [group, rows, hidden/2]
            fc1.Forward(k, xn, rows, hidden, Epilogue.Gelu);
            fc2.AddTo(k, hidden, rows, x, ws.Take(rows * fc2.Out));
            ws.Release(mark);
        }
    }
}

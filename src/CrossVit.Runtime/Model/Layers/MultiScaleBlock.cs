using CrossVit.Runtime.Config;
using CrossVit.Runtime.Engine;
using CrossVit.Runtime.Kernels;
using CrossVit.Runtime.Threading;

namespace CrossVit.Runtime.Model.Layers;

/// <summary>
/// One stage, timm's <c>MultiScaleBlock</c>: ViT blocks per branch, then for each branch i (j = i + 1, cyclically)
/// its CLS token is projected to j's width, attends over <c>[itself; j's patch tokens]</c> through the fusion blocks,
/// and is projected back to replace i's CLS. Both halves may run the branches concurrently (<see cref="ParallelKernels.Branches"/>).
/// </summary>
internal sealed class MultiScaleBlock
{
    private readonly CrossVitConfig _config;
    private readonly Block[][] _blocks;
    private readonly Projection[] _projs;
    private readonly CrossAttentionBlock[][] _fusion;
    private readonly Projection[] _revertProjs;
    private readonly TokenLayout _layout;
    private readonly BranchCost[] _blockCosts, _fusionCosts;   // each branch's work in the two halves, for the branch scheduler
    private readonly BranchForward _forwardBlocks, _forwardFusion;

    private MultiScaleBlock(CrossVitConfig config, Block[][] blocks, Projection[] projs, CrossAttentionBlock[][] fusion, Projection[] revertProjs,
        TokenLayout layout)
    {
        (_config, _blocks, _projs, _fusion, _revertProjs, _layout) = (config, blocks, projs, fusion, revertProjs, layout);
        _blockCosts = Enumerable.Range(0, config.Branches).Select(i => BranchCost.Sum(blocks[i].Select(b => b.Cost(_layout.Tokens(i))))).ToArray();
        _fusionCosts = Enumerable.Range(0, config.Branches).Select(FusionCost).ToArray();
        // One delegate each for the model's lifetime, so a pass allocates none.
        _forwardBlocks = ForwardBlocks;
        _forwardFusion = ForwardFusion;
    }

    /// <summary>
    /// Stage <paramref name="stage"/> at <paramref name="p"/>, on tokens laid out as <paramref name="layout"/> says. Its
    /// children are loaded in timm's registration order: every branch's blocks, then the projections, the fusions and
    /// the reverse projections.
    /// </summary>
    public static MultiScaleBlock Load(IWeightSource w, WeightPath p, CrossVitConfig c, int stage, float[] scales, TokenLayout layout)
    {
        int n = c.Branches, fusionDepth = c.Depth[stage][n];
        var blocks = new Block[n][];
        var projs = new Projection[n];
        var fusion = new CrossAttentionBlock[n][];
        var revert = new Projection[n];
        for (int b = 0; b < n; b++)
        {
            var branch = p.Pp("blocks").Pp(b);
            blocks[b] = Enumerable.Range(0, c.Depth[stage][b])
                .Select(i => Block.Load(w, branch.Pp(i), c.EmbedDim[b], c.MlpHidden(b), c.NumHeads[b], c.QkvBias, scales[b], c.NormEps))
                .ToArray();
        }
        for (int b = 0; b < n; b++) projs[b] = Projection.Load(w, p.Pp("projs").Pp(b), c.EmbedDim[b], c.EmbedDim[c.Next(b)], c.NormEps);
        for (int b = 0; b < n; b++)
        {
            int next = c.Next(b);
            var at = p.Pp("fusion").Pp(b);
            // timm names a single fusion block without an index ("backward capability").
            fusion[b] = fusionDepth == 0
                ? [CrossAttentionBlock.Load(w, at, c.EmbedDim[next], c.NumHeads[next], c.QkvBias, scales[next], c.NormEps)]
                : Enumerable.Range(0, fusionDepth)
                    .Select(i => CrossAttentionBlock.Load(w, at.Pp(i), c.EmbedDim[next], c.NumHeads[next], c.QkvBias, scales[next], c.NormEps))
                    .ToArray();
        }
        for (int b = 0; b < n; b++) revert[b] = Projection.Load(w, p.Pp("revert_projs").Pp(b), c.EmbedDim[c.Next(b)], c.EmbedDim[b], c.NormEps);
        return new(c, blocks, projs, fusion, revert, layout);
    }

    /// <summary>t.Tokens: every branch's tokens (<see cref="TokenLayout"/>), updated in place.</summary>
    public void Forward(ParallelKernels k, PassTensors t, Workspace ws)
    {
        k.Branches(_blockCosts, _forwardBlocks, t, ws);
        // Fusion i replaces i's CLS and reads j's patch tokens (j's CLS row only as a placeholder whose values it
        // ignores), so the fusions are independent.
        k.Branches(_fusionCosts, _forwardFusion, t, ws);
    }

    /// <summary>Branch i's ViT blocks.</summary>
    private void ForwardBlocks(int i, ParallelKernels k, PassTensors t, Workspace ws)
    {
        foreach (var block in _blocks[i]) block.Forward(k, _layout.Branch(t.Tokens, t.Batch, i), t.Batch, _layout.Tokens(i), ws);
    }

    /// <summary>Branch i's fusion: its CLS, projected to j's width, attends over j's tokens and replaces i's CLS once projected back.</summary>
    private void ForwardFusion(int i, ParallelKernels k, PassTensors t, Workspace ws)
    {
        int j = _config.Next(i), batch = t.Batch, mark = ws.Mark();
        var x = _layout.Branch(t.Tokens, batch, i);
        var cls = ws.Take(batch * _config.EmbedDim[j]);     // CLS_i in j's width, updated by each fusion block
        _projs[i].Forward(k, Cls(x, i, batch, ws), batch, cls, ws);
        // The first fusion block attends over [CLS_i; j's patch tokens]; later ones see only the CLS it produced.
        ReadOnlySpan<float> input = _layout.Branch(t.Tokens, batch, j);
        int inputTokens = _layout.Tokens(j);
        foreach (var block in _fusion[i])
        {
            block.Forward(k, cls, input, batch, inputTokens, ws);
            input = cls;
            inputTokens = 1;
        }
        var reverted = ws.Take(batch * _config.EmbedDim[i]);
        _revertProjs[i].Forward(k, cls, batch, reverted, ws);
        SetCls(x, i, batch, reverted);
        ws.Release(mark);
    }

    /// <summary>Its multiply-adds on one image: every branch's blocks and fusion.</summary>
    public long MultiplyAdds()
    {
        long total = 0;
        for (int i = 0; i < _config.Branches; i++)
        {
            total += _blocks[i].Sum(block => block.MultiplyAdds(_layout.Tokens(i)));
            total += _projs[i].MultiplyAdds() + _revertProjs[i].MultiplyAdds();
            total += _fusion[i].Select((block, n) => block.MultiplyAdds(n == 0 ? _layout.Tokens(_config.Next(i)) : 1)).Sum();
        }
        return total;
    }

    /// <summary>The work of <see cref="ForwardFusion"/> for branch i, for the branch scheduler.</summary>
    private BranchCost FusionCost(int i) => BranchCost.Sum(
        [_projs[i].Cost(), .. _fusion[i].Select((block, n) => block.Cost(n == 0 ? _layout.Tokens(_config.Next(i)) : 1)), _revertProjs[i].Cost()]);

    /// <summary>The CLS rows of branch i's tokens, gathered: [batch, dim_i].</summary>
    private Span<float> Cls(Span<float> x, int i, int batch, Workspace ws)
    {
        int dim = _config.EmbedDim[i], stride = _layout.Tokens(i) * dim;
        var cls = ws.Take(batch * dim);
        for (int b = 0; b < batch; b++) x.Slice(b * stride, dim).CopyTo(cls.Slice(b * dim, dim));
        return cls;
    }

    private void SetCls(Span<float> x, int i, int batch, ReadOnlySpan<float> cls)
    {
        int dim = _config.EmbedDim[i], stride = _layout.Tokens(i) * dim;
        for (int b = 0; b < batch; b++) cls.Slice(b * dim, dim).CopyTo(x.Slice(b * stride, dim));
    }
}

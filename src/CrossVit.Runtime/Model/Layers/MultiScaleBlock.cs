using CrossVit.Runtime.Config;
using CrossVit.Runtime.Engine;
using CrossVit.Runtime.Kernels;

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
    private readonly int[] _branchStart;       // offset of branch i's tokens for one image
    private readonly BranchCost[] _blockCosts, _fusionCosts;   // each branch's work in the two halves, for the branch scheduler
    private readonly BranchForward _forwardBlocks, _forwardFusion;

    private MultiScaleBlock(CrossVitConfig config, Block[][] blocks, Projection[] projs, CrossAttentionBlock[][] fusion, Projection[] revertProjs,
        int[] branchStart)
    {
        (_config, _blocks, _projs, _fusion, _revertProjs, _branchStart) = (config, blocks, projs, fusion, revertProjs, branchStart);
        _blockCosts = Enumerable.Range(0, config.Branches).Select(i => BranchCost.Sum(blocks[i].Select(b => b.Cost(Tokens(i))))).ToArray();
        _fusionCosts = Enumerable.Range(0, config.Branches).Select(FusionCost).ToArray();
        // One delegate each for the model's lifetime, so a pass allocates none.
        _forwardBlocks = ForwardBlocks;
        _forwardFusion = ForwardFusion;
    }

    /// <summary>Stage <paramref name="stage"/>; branchStart[i] is the offset of branch i's tokens within every branch's tokens of one image.</summary>
    public static MultiScaleBlock Load(Checkpoint ckpt, KernelSet k, CrossVitConfig c, int stage, float[] scales, int[] branchStart)
    {
        int n = c.Branches, fusionDepth = c.Depth[stage][n];
        string p = $"blocks.{stage}";
        var blocks = new Block[n][];
        var projs = new Projection[n];
        var fusion = new CrossAttentionBlock[n][];
        var revert = new Projection[n];
        for (int b = 0; b < n; b++)
        {
            int dim = c.EmbedDim[b], next = c.Next(b), nextDim = c.EmbedDim[next];
            blocks[b] = Enumerable.Range(0, c.Depth[stage][b])
                .Select(i => Block.Load(ckpt, k, $"{p}.blocks.{b}.{i}", dim, c.MlpHidden(b), c.NumHeads[b], c.QkvBias, scales[b], c.NormEps))
                .ToArray();
            projs[b] = Projection.Load(ckpt, k, $"{p}.projs.{b}", dim, nextDim, c.NormEps);
            // timm names a single fusion block without an index ("backward capability").
            fusion[b] = fusionDepth == 0
                ? [CrossAttentionBlock.Load(ckpt, k, $"{p}.fusion.{b}", nextDim, c.NumHeads[next], c.QkvBias, scales[next], c.NormEps)]
                : Enumerable.Range(0, fusionDepth)
                    .Select(i => CrossAttentionBlock.Load(ckpt, k, $"{p}.fusion.{b}.{i}", nextDim, c.NumHeads[next], c.QkvBias, scales[next], c.NormEps))
                    .ToArray();
            revert[b] = Projection.Load(ckpt, k, $"{p}.revert_projs.{b}", nextDim, dim, c.NormEps);
        }
        return new(c, blocks, projs, fusion, revert, branchStart);
    }

    /// <summary>t.Tokens: every branch's tokens, branch i's [batch, 1 + patches_i, dim_i] at batch * branchStart[i]; updated in place.</summary>
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
        foreach (var block in _blocks[i]) block.Forward(k, Branch(t.Tokens, _branchStart, t.Batch, i), t.Batch, Tokens(i), ws);
    }

    /// <summary>Branch i's fusion: its CLS, projected to j's width, attends over j's tokens and replaces i's CLS once projected back.</summary>
    private void ForwardFusion(int i, ParallelKernels k, PassTensors t, Workspace ws)
    {
        int j = _config.Next(i), batch = t.Batch, mark = ws.Mark();
        var x = Branch(t.Tokens, _branchStart, batch, i);
        var cls = ws.Take(batch * _config.EmbedDim[j]);     // CLS_i in j's width, updated by each fusion block
        _projs[i].Forward(k, Cls(x, i, batch, ws), batch, cls, ws);
        // The first fusion block attends over [CLS_i; j's patch tokens]; later ones see only the CLS it produced.
        ReadOnlySpan<float> input = Branch(t.Tokens, _branchStart, batch, j);
        int inputTokens = Tokens(j);
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

    /// <summary>The work of <see cref="ForwardFusion"/> for branch i, for the branch scheduler.</summary>
    private BranchCost FusionCost(int i) => BranchCost.Sum(
        [_projs[i].Cost(), .. _fusion[i].Select((block, n) => block.Cost(n == 0 ? Tokens(_config.Next(i)) : 1)), _revertProjs[i].Cost()]);

    private int Tokens(int branch) => 1 + _config.NumPatches(branch);

    /// <summary>Branch i's tokens within every branch's tokens: [batch, 1 + patches_i, dim_i] at batch * branchStart[i].</summary>
    internal static Span<float> Branch(Span<float> tokens, int[] branchStart, int batch, int i) =>
        tokens.Slice(batch * branchStart[i], batch * (branchStart[i + 1] - branchStart[i]));

    /// <summary>The CLS rows of branch i's tokens, gathered: [batch, dim_i].</summary>
    private Span<float> Cls(Span<float> x, int i, int batch, Workspace ws)
    {
        int dim = _config.EmbedDim[i], stride = Tokens(i) * dim;
        var cls = ws.Take(batch * dim);
        for (int b = 0; b < batch; b++) x.Slice(b * stride, dim).CopyTo(cls.Slice(b * dim, dim));
        return cls;
    }

    private void SetCls(Span<float> x, int i, int batch, ReadOnlySpan<float> cls)
    {
        int dim = _config.EmbedDim[i], stride = Tokens(i) * dim;
        for (int b = 0; b < batch; b++) cls.Slice(b * dim, dim).CopyTo(x.Slice(b * stride, dim));
    }
}

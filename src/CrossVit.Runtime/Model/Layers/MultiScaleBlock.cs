using CrossVit.Runtime.Config;
using CrossVit.Runtime.Engine;
using CrossVit.Runtime.Kernels;

namespace CrossVit.Runtime.Model.Layers;

/// <summary>
/// One stage, timm's <c>MultiScaleBlock</c>: ViT blocks per branch, then for each branch i (j = i + 1, cyclically)
/// its CLS token is projected to j's width, attends over <c>[itself; j's patch tokens]</c> through the fusion blocks,
/// and is projected back to replace i's CLS.
/// </summary>
internal sealed class MultiScaleBlock(CrossVitConfig config, Block[][] blocks, Projection[] projs, CrossAttentionBlock[][] fusion, Projection[] revertProjs)
{

    public static MultiScaleBlock Load(Checkpoint ckpt, KernelSet k, CrossVitConfig c, int stage, float[] scales)
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
        return new(config: c, blocks, projs, fusion, revert);
    }

    /// <summary>
    /// tokens: every branch's tokens, branch i's [batch, 1 + patches_i, dim_i] at batch * branchStart[i]; updated in place.
    /// </summary>
    public void Forward(ParallelKernels k, Span<float> tokens, int[] branchStart, int batch, Workspace ws)
    {
        int n = config.Branches, mark = ws.Mark();
        for (int i = 0; i < n; i++)
            foreach (var block in blocks[i]) block.Forward(k, Branch(tokens, branchStart, batch, i), batch, Tokens(i), ws);

        // Every CLS is projected before any is replaced: projected holds [batch, dim_{i+1}] for each i, one after another.
        var projected = ws.Take(batch * config.WidthSum);
        for (int i = 0, offset = 0; i < n; offset += batch * config.EmbedDim[config.Next(i)], i++)
            projs[i].Forward(k, Cls(Branch(tokens, branchStart, batch, i), i, batch, ws), batch, projected[offset..], ws);

        for (int i = 0, offset = 0; i < n; offset += batch * config.EmbedDim[config.Next(i)], i++)
        {
            int j = config.Next(i), dim = config.EmbedDim[j], m = ws.Mark();
            var cls = projected.Slice(offset, batch * dim);     // CLS_i in j's width, updated by each fusion block
            // The first fusion block attends over [CLS_i; j's patch tokens]; later ones see only the CLS it produced.
            ReadOnlySpan<float> input = Branch(tokens, branchStart, batch, j);
            int inputTokens = Tokens(j);
            foreach (var block in fusion[i])
            {
                block.Forward(k, cls, input, batch, inputTokens, ws);
                input = cls;
                inputTokens = 1;
            }
            var reverted = ws.Take(batch * config.EmbedDim[i]);
            revertProjs[i].Forward(k, cls, batch, reverted, ws);
            SetCls(Branch(tokens, branchStart, batch, i), i, batch, reverted);
            ws.Release(m);
        }
        ws.Release(mark);
    }

    private int Tokens(int branch) => 1 + config.NumPatches(branch);

    /// <summary>Branch i's tokens within every branch's tokens: [batch, 1 + patches_i, dim_i] at batch * branchStart[i].</summary>
    internal static Span<float> Branch(Span<float> tokens, int[] branchStart, int batch, int i) =>
        tokens.Slice(batch * branchStart[i], batch * (branchStart[i + 1] - branchStart[i]));

    /// <summary>The CLS rows of branch i's tokens, gathered: [batch, dim_i].</summary>
    private Span<float> Cls(Span<float> x, int i, int batch, Workspace ws)
    {
        int dim = config.EmbedDim[i], stride = Tokens(i) * dim;
        var cls = ws.Take(batch * dim);
        for (int b = 0; b < batch; b++) x.Slice(b * stride, dim).CopyTo(cls.Slice(b * dim, dim));
        return cls;
    }

    private void SetCls(Span<float> x, int i, int batch, ReadOnlySpan<float> cls)
    {
        int dim = config.EmbedDim[i], stride = Tokens(i) * dim;
        for (int b = 0; b < batch; b++) cls.Slice(b * dim, dim).CopyTo(x.Slice(b * stride, dim));
    }
}

using CrossVit.Runtime.Config;

namespace CrossVit.Runtime.Model;

/// <summary>Arithmetic of one forward pass, for throughput figures (GFLOP/s) and the fraction of peak.</summary>
public static class ModelCost
{
    /// <summary>Multiply-adds of one image: convolutions, linear layers and attention's two matrix products.</summary>
    public static long MultiplyAdds(CrossVitConfig c)
    {
        long total = 0;
        int n = c.Branches;
        for (int b = 0; b < n; b++)
        {
            int side = c.ImgSize[b];
            foreach (var conv in c.StemConvs(b))
            {
                side = conv.OutputSize(side);
                total += (long)side * side * conv.OutChannels * conv.InChannels * conv.Kernel * conv.Kernel;
            }
        }
        for (int s = 0; s < c.Depth.Count; s++)
        {
            for (int b = 0; b < n; b++)
            {
                long t = 1 + c.NumPatches(b), d = c.EmbedDim[b], h = c.MlpHidden(b);
                // qkv, proj, fc1, fc2, and QKᵀ plus attn·V.
                total += c.Depth[s][b] * (t * d * (3 * d + d + 2 * h) + 2 * t * t * d);
            }
            int fusionBlocks = Math.Max(1, c.Depth[s][n]);
            for (int b = 0; b < n; b++)
            {
                long t = 1 + c.NumPatches(c.Next(b)), d = c.EmbedDim[c.Next(b)], own = c.EmbedDim[b];
                total += 2 * own * d;                              // projs and revert_projs on the CLS
                total += 2 * t * d * d + 2 * d * d + 2 * t * d;    // first block: wk and wv over all tokens, wq and proj on the CLS, attention
                total += (fusionBlocks - 1) * (4 * d * d + 2 * d); // later blocks see the CLS alone
            }
        }
        if (c.NumClasses > 0) total += (long)c.WidthSum * c.NumClasses;
        return total;
    }
}

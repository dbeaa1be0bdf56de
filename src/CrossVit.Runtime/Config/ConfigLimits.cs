namespace CrossVit.Runtime.Config;

/// <summary>
/// Upper bounds <see cref="CrossVitConfig.Validate"/> enforces, so that a hostile or mistyped config is refused before
/// anything is allocated for it, and every size the runtime computes fits an <see cref="int"/>. They sit far above any
/// published CrossViT (the largest, crossvit_base_240: 768 wide, 401 tokens, 12 blocks a branch).
/// </summary>
public static class ConfigLimits
{
    /// <summary>Most branches.</summary>
    public const int MaxBranches = 8;

    /// <summary>Most stages (entries of <c>depth</c>).</summary>
    public const int MaxStages = 64;

    /// <summary>Most blocks in all: every entry of every stage of <c>depth</c>, fusion depths included, added up.</summary>
    public const int MaxBlocks = 1024;

    /// <summary>Largest <c>img_size</c> (and so <c>patch_size</c>).</summary>
    public const int MaxImgSize = 4096;

    /// <summary>Most tokens of a branch, its CLS token included (a 128 × 128 patch grid).</summary>
    public const int MaxTokens = 16385;

    /// <summary>Largest <c>embed_dim</c>.</summary>
    public const int MaxEmbedDim = 8192;

    /// <summary>Largest MLP hidden width, <c>embed_dim × mlp_ratio</c>.</summary>
    public const int MaxMlpHidden = 65536;

    /// <summary>Most input channels.</summary>
    public const int MaxInChannels = 64;

    /// <summary>Most classes.</summary>
    public const int MaxClasses = 100_000;
}

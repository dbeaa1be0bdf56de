namespace CrossVit.Runtime.Config;

/// <summary>How a branch's input is pooled into one feature vector (timm's <c>global_pool</c>).</summary>
public enum GlobalPool
{
    /// <summary>The CLS token after the final norm.</summary>
    Token,
    /// <summary>The mean of the patch tokens (not the CLS) after the final norm.</summary>
    Avg,
}

/// <summary>How an input whose size differs from a branch's <c>img_size</c> is resized.</summary>
public enum Interpolation
{
    /// <summary>Bicubic, A = -0.75, as timm and the IBM original.</summary>
    Bicubic,
    /// <summary>Bilinear, as lucidrains' implementation.</summary>
    Bilinear,
}

/// <summary>
/// A CrossViT architecture: every option of the seed (lucid/IBM) API plus timm's <c>global_pool</c>,
/// <c>crop_scale</c> and <c>interpolation</c>. Lists are per branch; <see cref="Depth"/> is per stage.
/// Build with an object initializer and call <see cref="Validate"/> (the model does).
/// </summary>
public sealed record CrossVitConfig
{
    /// <summary>Square input size of each branch (timm's scaled image sizes).</summary>
    public required IReadOnlyList<int> ImgSize { get; init; }
    /// <summary>Patch size of each branch.</summary>
    public required IReadOnlyList<int> PatchSize { get; init; }
    /// <summary>Channels of the input image.</summary>
    public int InChannels { get; init; } = 3;
    /// <summary>Classes of the heads; 0 makes the model return the concatenated pooled features.</summary>
    public int NumClasses { get; init; } = 1000;
    /// <summary>Token width of each branch.</summary>
    public required IReadOnlyList<int> EmbedDim { get; init; }
    /// <summary>Per stage: <c>[depth of branch 0, ..., depth of branch n-1, fusion depth]</c>.</summary>
    public required IReadOnlyList<IReadOnlyList<int>> Depth { get; init; }
    /// <summary>Attention heads of each branch.</summary>
    public required IReadOnlyList<int> NumHeads { get; init; }
    /// <summary>MLP hidden width over token width, per branch (a trailing extra entry, as in the presets, is unused).</summary>
    public required IReadOnlyList<double> MlpRatio { get; init; }
    /// <summary>Whether the qkv (and cross-attention wq/wk/wv) projections have a bias.</summary>
    public bool QkvBias { get; init; } = true;
    /// <summary>Attention scale; <c>null</c> means <c>head_dim^-0.5</c>.</summary>
    public double? QkScale { get; init; }
    /// <summary>Dropout rate (training only; no effect at inference).</summary>
    public double DropRate { get; init; }
    /// <summary>Attention dropout rate (training only; no effect at inference).</summary>
    public double AttnDropRate { get; init; }
    /// <summary>Stochastic depth rate (training only; no effect at inference).</summary>
    public double DropPathRate { get; init; }
    /// <summary>LayerNorm epsilon.</summary>
    public double NormEps { get; init; } = 1e-6;
    /// <summary>Dagger (†) models: a three-convolution stem instead of the linear patch embedding.</summary>
    public bool MultiConv { get; init; }
    /// <summary>Pooling of each branch's tokens before its head.</summary>
    public GlobalPool GlobalPool { get; init; } = GlobalPool.Token;
    /// <summary>Center-crop, instead of resizing, an input larger than a branch's size.</summary>
    public bool CropScale { get; init; }
    /// <summary>Resize filter for branches whose size differs from the input's.</summary>
    public Interpolation Interpolation { get; init; } = Interpolation.Bicubic;
    /// <summary>Preprocessing only: the fraction of the resized image kept by the center crop (timm's <c>crop_pct</c>).</summary>
    public double CropPct { get; init; } = 0.875;
    /// <summary>
    /// Preprocessing only: the normalization's channel means (timm's <c>mean</c>), one for every channel or one for all;
    /// null for ImageNet's.
    /// </summary>
    public IReadOnlyList<double>? Mean { get; init; }
    /// <summary>Preprocessing only: the normalization's standard deviations (timm's <c>std</c>), as <see cref="Mean"/>.</summary>
    public IReadOnlyList<double>? Std { get; init; }

    /// <summary>Number of branches.</summary>
    public int Branches => PatchSize.Count;

    /// <summary>Patches of branch <paramref name="branch"/> (tokens without the CLS).</summary>
    public int NumPatches(int branch) => ImgSize[branch] / PatchSize[branch] * (ImgSize[branch] / PatchSize[branch]);

    /// <summary>MLP hidden width of branch <paramref name="branch"/>: <c>int(dim * mlp_ratio)</c>, as timm.</summary>
    public int MlpHidden(int branch) => (int)(EmbedDim[branch] * MlpRatio[branch]);

    /// <summary>The branches' widths added up: the length of the concatenated features.</summary>
    public int WidthSum
    {
        get
        {
            // A loop, not LINQ: Sum over the list interface allocates an enumerator, and the forward pass asks for this.
            int sum = 0;
            for (int b = 0; b < EmbedDim.Count; b++) sum += EmbedDim[b];
            return sum;
        }
    }

    /// <summary>Length of one output row: <see cref="NumClasses"/>, or <see cref="WidthSum"/> when it is 0.</summary>
    public int OutputSize => NumClasses > 0 ? NumClasses : WidthSum;

    /// <summary>The branch a branch's CLS token is fused with: the next one, cyclically.</summary>
    public int Next(int branch) => (branch + 1) % Branches;

    /// <summary>Throws an <see cref="ArgumentException"/> naming the field when the configuration is inconsistent.</summary>
    public CrossVitConfig Validate()
    {
        int n = PatchSize.Count;
        if (n < 1) throw Invalid("patch_size", "must list at least one branch");
        if (n > ConfigLimits.MaxBranches) throw Invalid("patch_size", $"lists {n} branches; at most {ConfigLimits.MaxBranches} are supported");
        RequireLength("img_size", ImgSize.Count, n);
        RequireLength("embed_dim", EmbedDim.Count, n);
        RequireLength("num_heads", NumHeads.Count, n);
        if (MlpRatio.Count != n && MlpRatio.Count != n + 1)
            throw Invalid("mlp_ratio", $"has {MlpRatio.Count} entries; expected one per branch ({n}), optionally plus one unused fusion entry");
        ValidateDepth(n);
        RequireInRange("in_channels", InChannels, 1, ConfigLimits.MaxInChannels);
        RequireInRange("num_classes", NumClasses, 0, ConfigLimits.MaxClasses);
        if (!(NormEps > 0)) throw Invalid("norm_eps", $"is {NormEps}; expected a positive number");
        if (QkScale is { } qk && !(qk > 0)) throw Invalid("qk_scale", $"is {qk}; expected a positive number or null");
        if (!(CropPct > 0 && CropPct <= 1)) throw Invalid("crop_pct", $"is {CropPct}; expected a number in (0, 1]");
        ValidateStatistics("mean", Mean, m => double.IsFinite(m));
        ValidateStatistics("std", Std, s => double.IsFinite(s) && s != 0);
        for (int b = 0; b < n; b++)
        {
            RequireInRange("img_size", ImgSize[b], 1, ConfigLimits.MaxImgSize);
            RequireInRange("patch_size", PatchSize[b], 1, ImgSize[b]);
            RequireInRange("embed_dim", EmbedDim[b], 1, ConfigLimits.MaxEmbedDim);
            RequireInRange("num_heads", NumHeads[b], 1, EmbedDim[b]);
            // Checked as a double first: the int conversion of MlpHidden would overflow for an absurd ratio.
            if (!(MlpRatio[b] > 0) || !(EmbedDim[b] * MlpRatio[b] <= ConfigLimits.MaxMlpHidden) || MlpHidden(b) < 1)
                throw Invalid("mlp_ratio", $"branch {b} is {MlpRatio[b]}; expected a positive ratio giving a hidden width of 1 to {ConfigLimits.MaxMlpHidden}");
            if (EmbedDim[b] % NumHeads[b] != 0)
                throw Invalid("embed_dim", $"branch {b} width {EmbedDim[b]} is not divisible by num_heads {NumHeads[b]}");
            if (ImgSize[b] % PatchSize[b] != 0)
                throw Invalid("img_size", $"branch {b} size {ImgSize[b]} is not tiled by patch_size {PatchSize[b]}");
            if (1 + NumPatches(b) > ConfigLimits.MaxTokens)
                throw Invalid("patch_size", $"branch {b} cuts {ImgSize[b]}-pixel images into {NumPatches(b)} patches; at most {ConfigLimits.MaxTokens - 1} are supported");
            if (MultiConv) ValidateStem(b);
        }
        return this;
    }

    private static void ValidateStatistics(string field, IReadOnlyList<double>? values, Func<double, bool> valid)
    {
        if (values is null) return;
        if (values.Count < 1 || values.Count > ConfigLimits.MaxInChannels)
            throw Invalid(field, $"has {values.Count} entries; expected one per input channel, or one for all");
        for (int c = 0; c < values.Count; c++)
            if (!valid(values[c])) throw Invalid(field, $"channel {c} is {values[c]}; expected a finite number{(field == "std" ? ", not 0" : "")}");
    }

    private void ValidateDepth(int n)
    {
        if (Depth.Count < 1) throw Invalid("depth", "must list at least one stage");
        if (Depth.Count > ConfigLimits.MaxStages) throw Invalid("depth", $"lists {Depth.Count} stages; at most {ConfigLimits.MaxStages} are supported");
        long blocks = 0;
        for (int s = 0; s < Depth.Count; s++)
        {
            if (Depth[s].Count != n + 1)
                throw Invalid("depth", $"stage {s} has {Depth[s].Count} entries; expected {n + 1} (one per branch, then the fusion depth)");
            for (int b = 0; b < n; b++)
                if (Depth[s][b] < 1) throw Invalid("depth", $"stage {s} branch {b} has depth {Depth[s][b]}; expected at least 1");
            if (Depth[s][n] < 0) throw Invalid("depth", $"stage {s} has fusion depth {Depth[s][n]}; expected 0 or more");
            foreach (int d in Depth[s]) blocks += d;
        }
        if (blocks > ConfigLimits.MaxBlocks)
            throw Invalid("depth", $"adds up to {blocks} blocks; at most {ConfigLimits.MaxBlocks} are supported");
    }

    private void ValidateStem(int b)
    {
        if (PatchSize[b] is not (12 or 16))
            throw Invalid("multi_conv", $"branch {b} has patch_size {PatchSize[b]}; the convolution stem exists for 12 and 16 only");
        if (EmbedDim[b] % 4 != 0)
            throw Invalid("multi_conv", $"branch {b} embed_dim {EmbedDim[b]} is not divisible by 4, as the stem's widths dim/4 and dim/2 need");
        // For a size the patch tiles, the stems' strides (4·3·1 for 12, 4·2·2 for 16) always give the patch grid.
    }

    /// <summary>The patch embedding's convolutions of branch <paramref name="branch"/>, in order (one unless <see cref="MultiConv"/>).</summary>
    public IReadOnlyList<ConvShape> StemConvs(int branch)
    {
        int d = EmbedDim[branch], p = PatchSize[branch];
        if (!MultiConv) return [new ConvShape(InChannels, d, p, p, 0)];
        return p == 12
            ? [new(InChannels, d / 4, 7, 4, 3), new(d / 4, d / 2, 3, 3, 0), new(d / 2, d, 3, 1, 1)]
            : [new(InChannels, d / 4, 7, 4, 3), new(d / 4, d / 2, 3, 2, 1), new(d / 2, d, 3, 2, 1)];
    }

    private static void RequireLength(string field, int count, int branches)
    {
        if (count != branches) throw Invalid(field, $"has {count} entries; expected one per branch ({branches}, as patch_size)");
    }

    private static void RequireInRange(string field, int value, int min, int max)
    {
        if (value < min || value > max) throw Invalid(field, $"is {value}; expected an integer from {min} to {max}");
    }

    private static ArgumentException Invalid(string field, string problem) => new($"Invalid CrossViT config: {field} {problem}.", field);

    /// <summary>Structural equality (the records' lists compare by reference otherwise).</summary>
    public bool Equals(CrossVitConfig? other) =>
        other is not null && CrossVitConfigJson.Write(this) == CrossVitConfigJson.Write(other);

    /// <inheritdoc/>
    public override int GetHashCode() => CrossVitConfigJson.Write(this).GetHashCode(StringComparison.Ordinal);
}

/// <summary>A square convolution: <paramref name="InChannels"/> to <paramref name="OutChannels"/>, zero padding.</summary>
public readonly record struct ConvShape(int InChannels, int OutChannels, int Kernel, int Stride, int Padding)
{
    /// <summary>Output side for an input side, as PyTorch's Conv2d.</summary>
    public int OutputSize(int input) => (input + 2 * Padding - Kernel) / Stride + 1;
}

namespace CrossVit.Runtime.Profiling;

/// <summary>
/// The kinds of operation a profiled pass is broken down into (<see cref="Engine.SessionOptions.Profile"/>), in the order a
/// pass first reaches them. <see cref="OpKinds"/> gives each its name and whether it is bound by memory.
/// </summary>
public enum OpKind
{
    /// <summary>Each branch's image resized to its size (bicubic or bilinear), and made channels-last for its patch embedding.</summary>
    BranchResize,

    /// <summary>The dagger stem's three convolutions, or the linear patch embedding (a convolution of stride = patch).</summary>
    PatchEmbedding,

    /// <summary>Every LayerNorm: the blocks' norm1 and norm2, the fusion blocks' norm1, projs / revert_projs' norm, the final norm.</summary>
    LayerNorm,

    /// <summary>The ViT blocks' qkv projection.</summary>
    Qkv,

    /// <summary>The ViT blocks' attention core: QKᵀ·scale, the row softmax, ·V.</summary>
    AttentionCore,

    /// <summary>The ViT blocks' attention output projection, with the residual.</summary>
    AttentionProjection,

    /// <summary>The ViT blocks' fc1 with its fused GELU.</summary>
    Fc1Gelu,

    /// <summary>The ViT blocks' fc2, with the residual.</summary>
    Fc2,

    /// <summary>projs and revert_projs: the GELU and linear layer between two branch widths (their norm is <see cref="OpKind.LayerNorm"/>).</summary>
    CrossProjections,

    /// <summary>The fusion blocks' query projection wq, on the CLS token.</summary>
    CrossQuery,

    /// <summary>
    /// The fusion blocks' CLS attention with wk and wv folded onto the one query. Its multiply-adds are counted as
    /// <see cref="Model.ModelCost"/> counts them (wk and wv over all tokens), more than the folded kernel does.
    /// </summary>
    CrossAttention,

    /// <summary>The fusion blocks' output projection proj, with the residual on the CLS.</summary>
    CrossOutput,

    /// <summary>The classifier heads.</summary>
    Head,
}

/// <summary>The op-kind taxonomy of a profile: names, descriptions and which kinds are bound by memory rather than arithmetic.</summary>
public static class OpKinds
{
    // The one table: id (JSON), label (tables and charts), memory-bound (reported in GB/s).
    private static readonly (OpKind Kind, string Id, string Label, bool MemoryBound)[] Table =
    [
        (OpKind.BranchResize, "branch_resize", "branch resize", true),
        (OpKind.PatchEmbedding, "patch_embedding", "patch embedding", false),
        (OpKind.LayerNorm, "layer_norm", "LayerNorm", true),
        (OpKind.Qkv, "qkv", "qkv", false),
        (OpKind.AttentionCore, "attention_core", "attention core", false),
        (OpKind.AttentionProjection, "attention_projection", "attention proj", false),
        (OpKind.Fc1Gelu, "fc1_gelu", "fc1 + GELU", false),
        (OpKind.Fc2, "fc2", "fc2", false),
        (OpKind.CrossProjections, "cross_projections", "projs / revert_projs", false),
        (OpKind.CrossQuery, "cross_query", "cross-attn wq", false),
        (OpKind.CrossAttention, "cross_attention", "cross-attn (wk, wv folded)", false),
        (OpKind.CrossOutput, "cross_output", "cross-attn proj", false),
        (OpKind.Head, "head", "heads", false),
    ];

    /// <summary>Every kind, in pass order.</summary>
    public static IReadOnlyList<OpKind> All { get; } = Array.AsReadOnly(Table.Select(e => e.Kind).ToArray());

    /// <summary>A stable snake_case identifier, as in <c>crossvit profile --json</c>.</summary>
    public static string Id(OpKind kind) => Entry(kind).Id;

    /// <summary>A short label for tables and charts.</summary>
    public static string Label(OpKind kind) => Entry(kind).Label;

    /// <summary>Whether the kind moves more bytes than it computes (its throughput is read in GB/s, not GFLOP/s).</summary>
    public static bool IsMemoryBound(OpKind kind) => Entry(kind).MemoryBound;

    private static (OpKind Kind, string Id, string Label, bool MemoryBound) Entry(OpKind kind) =>
        (uint)kind < (uint)Table.Length ? Table[(int)kind] : throw new ArgumentOutOfRangeException(nameof(kind), kind, $"Not an OpKind; expected 0 to {Table.Length - 1}.");
}

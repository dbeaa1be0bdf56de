namespace CrossVit.Runtime.Profiling;

/// <summary>
/// Where an operation sits in the model: its kind and its layer (timm's module name, e.g. <c>blocks.0.blocks.1.2.attn.qkv</c>),
/// fixed when the model loads. A profiled session adds each operation's time to its site.
/// </summary>
internal sealed class OpSite(OpKind kind, string layer)
{
    public OpKind Kind { get; } = kind;

    public string Layer { get; } = layer;
}

namespace CrossVit.Runtime.Profiling;

/// <summary>
/// One layer's operations of one kind over the profiled passes of a session (<see cref="Engine.InferenceSession.ReadProfile"/>):
/// totals over <see cref="PassProfile.Passes"/> passes.
/// </summary>
/// <param name="Kind">What the operation is.</param>
/// <param name="Layer">timm's module name, e.g. <c>blocks.0.blocks.1.2.attn.qkv</c> (or the branch's <c>patch_embed.1.resize</c>).</param>
/// <param name="Calls">Operations run.</param>
/// <param name="Milliseconds">Wall-clock time inside them.</param>
/// <param name="MultiplyAdds">Multiply-adds done, as <see cref="Model.ModelCost"/> counts them.</param>
/// <param name="Bytes">Bytes read and written by the memory-bound kinds (<see cref="OpKinds.IsMemoryBound"/>); 0 for the others.</param>
/// <param name="Waits">Worker-milliseconds spent inside the operations without work, by when they fell.</param>
public sealed record OpProfile(OpKind Kind, string Layer, long Calls, double Milliseconds, long MultiplyAdds, long Bytes, OpWaits Waits);

namespace CrossVit.Runtime.Kernels;

/// <summary>
/// Attention of one image as <see cref="Engine.BranchPartition"/> costs it: <paramref name="Heads"/> heads of
/// <paramref name="Queries"/> queries over <paramref name="Keys"/> keys, each product of length <paramref name="Depth"/>
/// (the head dim; the whole width for the fusion's CLS attention, which folds the key weights onto its one query).
/// </summary>
internal readonly record struct AttentionCost(int Heads, int Queries, int Keys, int Depth);

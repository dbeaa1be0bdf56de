using System.Text;
using CrossVit.Runtime.Config;
using CrossVit.Runtime.Kernels;
using CrossVit.Weights;

namespace CrossVit.Runtime.Model;

/// <summary>
/// A safetensors checkpoint checked strictly against a config's <see cref="CheckpointLayout"/>. Accepts timm's names,
/// the IBM original / lucid spelling (<c>pos_embed.0</c>, <c>cls_token.0</c>) and a <c>module.</c> prefix. Where two
/// neighbouring branches have equal width and a stage's <c>projs</c>/<c>revert_projs</c> tensors are all absent (lucid),
/// that projection is the identity.
/// </summary>
internal sealed class Checkpoint
{
    private readonly SafetensorsFile _file;
    private readonly Dictionary<string, string> _fileNames;  // timm name -> name in the file
    private readonly HashSet<string> _identity;  // projection prefixes bound as identity
    private readonly int _packThreads;

    /// <param name="file">The weights.</param>
    /// <param name="config">The architecture they must match.</param>
    /// <param name="packThreads">Threads that pack each weight matrix for the kernels (the model's session threads).</param>
    public Checkpoint(SafetensorsFile file, CrossVitConfig config, int packThreads = 1)
    {
        _file = file;
        _packThreads = packThreads;
        _fileNames = new(StringComparer.Ordinal);
        var duplicates = new List<string>();
        foreach (var t in file.Tensors)
        {
            string name = TimmName(t.Name);
            if (!_fileNames.TryAdd(name, t.Name))
                duplicates.Add($"'{t.Name}' and '{_fileNames[name]}' both mean '{name}'");
        }

        var (expected, optional) = LayoutRecorder.Record(config);
        // A module that may be the identity is, when the file has none of its tensors.
        _identity = optional.Where(prefix => !expected.Any(e => Under(e.Name, prefix) && _fileNames.ContainsKey(e.Name))).ToHashSet(StringComparer.Ordinal);
        var missing = new List<string>();
        var wrongShape = new List<string>();
        var used = new HashSet<string>(StringComparer.Ordinal);
        foreach (var spec in expected.Where(s => !_identity.Any(prefix => Under(s.Name, prefix))))
        {
            used.Add(spec.Name);
            if (!_fileNames.TryGetValue(spec.Name, out var fileName)) { missing.Add(spec.Name); continue; }
            var shape = file.GetTensor(fileName).Shape;
            if (!shape.SequenceEqual(spec.Shape.Select(d => (long)d)))
                wrongShape.Add($"{spec.Name}: [{string.Join(", ", shape)}], expected [{string.Join(", ", spec.Shape)}]");
        }
        var unexpected = _fileNames.Keys.Where(k => !used.Contains(k)).Order(StringComparer.Ordinal).ToList();
        var problems = new StringBuilder();
        List("duplicate", duplicates, problems);
        List("missing", missing, problems);
        List("unexpected", unexpected, problems);
        List("wrong shape", wrongShape, problems);
        if (problems.Length > 0)
            throw new CheckpointMismatchException($"The checkpoint does not match the config ({expected.Count} tensors expected, {file.Tensors.Count} in the file):{Environment.NewLine}{problems.ToString().TrimEnd()}");
    }

    /// <summary>Whether <paramref name="file"/> binds to <paramref name="config"/> without a mismatch.</summary>
    public static bool Matches(SafetensorsFile file, CrossVitConfig config)
    {
        try
        {
            _ = new Checkpoint(file, config);
            return true;
        }
        catch (CheckpointMismatchException)
        {
            return false;
        }
    }

    /// <summary>The tensor as float32 (any float dtype of the file converted).</summary>
    public float[] Read(string name) => _file.ReadFloat32(_fileNames[name]);

    /// <summary>An nn.Linear weight [outFeatures, inFeatures], packed for <paramref name="kernels"/> straight from the file's bytes.</summary>
    public PackedMatrix PackLinear(KernelSet kernels, string name, int outFeatures, int inFeatures)
    {
        var tensor = _file.GetTensor(_fileNames[name]);
        return kernels.PackLinear(_file.GetRawBytes(tensor), tensor.DType, outFeatures, inFeatures, _packThreads);
    }

    /// <summary>A part of an nn.Linear weight (<see cref="KernelSet.PackLinearPart"/>), packed straight from the file's bytes.</summary>
    public PackedMatrix PackLinearPart(KernelSet kernels, string name, int outFeatures, int inFeatures, ReadOnlySpan<(int First, int Count)> rows, int firstColumn, int columns)
    {
        var tensor = _file.GetTensor(_fileNames[name]);
        return kernels.PackLinearPart(_file.GetRawBytes(tensor), tensor.DType, outFeatures, inFeatures, rows, firstColumn, columns, _packThreads);
    }

    /// <summary>Whether the projection at <paramref name="prefix"/> (<c>blocks.{s}.projs.{b}</c>) is bound as identity.</summary>
    public bool IsIdentity(string prefix) => _identity.Contains(prefix);

    /// <summary>Whether tensor <paramref name="name"/> belongs to the module at <paramref name="prefix"/>.</summary>
    private static bool Under(string name, string prefix) =>
        name.Length > prefix.Length && name[prefix.Length] == '.' && name.StartsWith(prefix, StringComparison.Ordinal);

    /// <summary>Maps the IBM/lucid spellings and a DataParallel prefix to timm's names.</summary>
    private static string TimmName(string name)
    {
        if (name.StartsWith("module.", StringComparison.Ordinal)) name = name["module.".Length..];
        foreach (var p in (ReadOnlySpan<string>)["pos_embed.", "cls_token."])
        {
            if (name.StartsWith(p, StringComparison.Ordinal) && int.TryParse(name.AsSpan(p.Length), out _))
                return string.Concat(p.AsSpan(0, p.Length - 1), "_", name.AsSpan(p.Length));
        }

        return name;
    }

    /// <summary>Names listed per kind of problem; a checkpoint of another model would otherwise give thousands.</summary>
    private const int ListedNames = 10;

    private static void List(string what, List<string> names, StringBuilder problems)
    {
        if (names.Count == 0) return;
        problems.AppendLine($"  {what} ({names.Count}):");
        foreach (var n in names.Take(ListedNames)) problems.AppendLine($"    {n}");
        if (names.Count > ListedNames) problems.AppendLine($"    ... and {names.Count - ListedNames} more");
    }
}

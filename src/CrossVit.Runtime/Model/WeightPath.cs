using System.Globalization;

namespace CrossVit.Runtime.Model;

/// <summary>
/// Where a module's tensors sit in timm's <c>state_dict</c>, as candle's <c>vb.pp("blocks").pp(i)</c>: each module
/// is given its own path and names only its children, so every name is spelled once, by the module it belongs to.
/// </summary>
internal readonly record struct WeightPath(string Prefix)
{
    /// <summary>The top of the <c>state_dict</c>.</summary>
    public static WeightPath Root => new(string.Empty);

    /// <summary>The child module <paramref name="name"/>.</summary>
    public WeightPath Pp(string name) => new(Prefix.Length == 0 ? name : $"{Prefix}.{name}");

    /// <summary>The child module at <paramref name="index"/> of a list (<c>nn.ModuleList</c>, <c>nn.Sequential</c>).</summary>
    public WeightPath Pp(int index) => Pp(index.ToString(CultureInfo.InvariantCulture));

    /// <summary>The full name of this module's tensor <paramref name="name"/>.</summary>
    public string Name(string name) => Pp(name).Prefix;

    /// <inheritdoc />
    public override string ToString() => Prefix;
}

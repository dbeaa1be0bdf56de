using CrossVit.Runtime.Config;
using Xunit;

namespace CrossVit.Tests.Fuzzing;

/// <summary>
/// Found by the config fuzzer: a number beyond double's range parsed as infinity and passed validation, and then
/// <see cref="CrossVitConfigJson.Write"/> (hence the config's Equals and GetHashCode) threw, because JSON has no
/// infinity. The parser rejects it, naming the field.
/// </summary>
public class ConfigNonFiniteNumberTests
{
    [Theory]
    [InlineData("norm_eps")]
    [InlineData("drop_rate")]
    [InlineData("attn_drop_rate")]
    [InlineData("drop_path_rate")]
    [InlineData("qk_scale")]
    public void NumbersBeyondDoubleRangeAreRejectedNamingTheField(string field)
    {
        string json = CrossVitConfigJson.Write(Presets.Get("crossvit_tiny_240"));
        string hostile = System.Text.RegularExpressions.Regex.Replace(json, $"\"{field}\": [^,\\n]+", $"\"{field}\": 1e400");
        var e = Assert.Throws<ArgumentException>(() => CrossVitConfigJson.Parse(hostile));
        Assert.Contains(field, e.Message, StringComparison.Ordinal);
    }
}

using CrossVit.Runtime.Config;
using Xunit;

namespace CrossVit.Tests.Fuzzing;

/// <summary>
/// Found by the config fuzzer: a number beyond double's range parses as infinity and passes validation, and then
/// <see cref="CrossVitConfigJson.Write"/> (hence the config's Equals and GetHashCode) throws, because JSON has no
/// infinity. The parser should reject it, naming the field. Skipped until CrossVitConfigJson is fixed; then remove
/// the skip and the exclusion in <see cref="FuzzTargets.Config"/>.
/// </summary>
public class ConfigNonFiniteNumberTests
{
    [Theory(Skip = "Known bug in src/CrossVit.Runtime/Config/CrossVitConfigJson.cs: non-finite numbers are accepted.")]
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

using CrossVit.Runtime.Config;

namespace CrossVit.Runtime.Model;

/// <summary>
/// Where every branch's tokens live in a pass's one token buffer: branch after branch, branch i as
/// [batch, 1 + patches_i, dim_i] (its CLS token, then its patch tokens).
/// </summary>
internal sealed class TokenLayout
{
    private readonly int[] _tokens;   // 1 + patches_i
    private readonly int[] _start;    // offset of branch i's tokens for one image; _start[^1] is one image's total

    public TokenLayout(CrossVitConfig config)
    {
        int n = config.Branches;
        _tokens = new int[n];
        _start = new int[n + 1];
        for (int b = 0; b < n; b++)
        {
            _tokens[b] = 1 + config.NumPatches(b);
            _start[b + 1] = _start[b] + _tokens[b] * config.EmbedDim[b];
        }
    }

    /// <summary>Floats of every branch's tokens for one image.</summary>
    public int FloatsPerImage => _start[^1];

    /// <summary>Tokens of branch <paramref name="branch"/>: its CLS and its patches.</summary>
    public int Tokens(int branch) => _tokens[branch];

    /// <summary>Branch i's tokens within every branch's tokens of <paramref name="batch"/> images: [batch, 1 + patches_i, dim_i].</summary>
    public Span<float> Branch(Span<float> tokens, int batch, int i) =>
        tokens.Slice(batch * _start[i], batch * (_start[i + 1] - _start[i]));
}

namespace CrossVit.Benchmarks;

/// <summary>The model's kernel shapes (crossvit_9_dagger_240 and the 15/18 widths).</summary>
internal static class Shapes
{
    /// <summary>Linear shapes M×K×N: tokens × in × out.</summary>
    public static readonly (int M, int K, int N)[] Gemm =
    [
        (401, 128, 384), (401, 128, 128), (401, 384, 128), (197, 256, 768), (197, 256, 256), (197, 768, 256),
    ];

    /// <summary>Dagger stem convs: input H×W×Cin, kernel, stride, pad, Cout.</summary>
    public static readonly (int InH, int InW, int Cin, int Kernel, int Stride, int Pad, int Cout)[] Stem =
    [
        (240, 240, 3, 7, 4, 3, 32), (60, 60, 32, 3, 3, 0, 64), (20, 20, 64, 3, 1, 1, 128),
        (224, 224, 3, 7, 4, 3, 64), (56, 56, 64, 3, 2, 1, 128), (28, 28, 128, 3, 2, 1, 256),
    ];

    /// <summary>Self-attention: tokens, model dim (4 heads).</summary>
    public static readonly (int T, int Dim)[] Attention = [(401, 128), (197, 256)];

    public const int Heads = 4;
}

using CrossVit.Runtime.Config;

namespace CrossVit.Runtime.Model;

/// <summary>Arithmetic of one forward pass, for throughput figures (GFLOP/s) and the fraction of peak.</summary>
public static class ModelCost
{
    /// <summary>Multiply-adds of one image: convolutions, linear layers and attention's two matrix products.</summary>
    /// <remarks>Each layer declares its own; the network is built without weights to sum them.</remarks>
    public static long MultiplyAdds(CrossVitConfig c) => CrossVitNet.Unbound(c).MultiplyAdds();
}

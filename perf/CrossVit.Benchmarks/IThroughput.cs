using CrossVit.Runtime.Kernels;

namespace CrossVit.Benchmarks;

/// <summary>A benchmark that knows how much work one invocation does, for <see cref="ThroughputColumn"/>.</summary>
internal interface IThroughput
{
    Isa Isa { get; set; }

    string Shape { get; set; }

    /// <summary>FLOPs (or bytes, when <see cref="IsBandwidth"/>) of one invocation; needs only the parameters.</summary>
    double Work { get; }

    bool IsBandwidth { get; }
}

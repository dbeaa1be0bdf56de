using System.Diagnostics;

namespace CrossVit.Runtime.Profiling;

/// <summary>
/// The timings of one <see cref="Kernels.ParallelKernels"/>' operations in a profiled session, by site. The jobs write
/// when each worker began and ended its share of the current operation to <see cref="Started"/> and
/// <see cref="Finished"/>; the operation's caller reads them when the team has joined. Allocates only when it first
/// meets a site.
/// </summary>
internal sealed class OpRecorder(int threads)
{
    private readonly Dictionary<OpSite, int> _index = new(ReferenceEqualityComparer.Instance);
    private readonly List<OpSite> _sites = [];
    private Totals[] _totals = new Totals[64];

    /// <summary>The Stopwatch timestamp at which each worker began its share of the current operation.</summary>
    public long[] Started { get; } = new long[threads];

    /// <summary>The Stopwatch timestamp at which each worker ended its share of the current operation.</summary>
    public long[] Finished { get; } = new long[threads];

    /// <summary>A Stopwatch timestamp.</summary>
    public static long Now() => Stopwatch.GetTimestamp();

    /// <summary>
    /// Adds the operation begun at <paramref name="start"/> to <paramref name="site"/>: run on a team of
    /// <paramref name="threads"/>, split across it when <paramref name="split"/> (its jobs filled <see cref="Started"/>
    /// and <see cref="Finished"/>), else on the calling thread alone while the others idled.
    /// </summary>
    public void Stop(OpSite? site, long start, int threads, bool split, long multiplyAdds, long bytes = 0)
    {
        long stop = Stopwatch.GetTimestamp(), wall = stop - start;
        var waits = !split ? new WaitTicks(0, (threads - 1) * wall, 0)
            : threads > 1 ? Split(start, stop, threads)
            : default;   // a lone worker waits for no one (the time outside its share is the call's own)
        if (site is null) throw new InvalidOperationException("A profiled operation has no site: every layer passes the kernels the site it loaded.");
        if (!_index.TryGetValue(site, out int i))
        {
            i = _sites.Count;
            _index.Add(site, i);
            _sites.Add(site);
            if (i == _totals.Length) Array.Resize(ref _totals, 2 * i);
        }
        ref var t = ref _totals[i];
        t.Calls++;
        t.Ticks += wall;
        t.Waits += waits;
        t.MultiplyAdds += multiplyAdds;
        t.Bytes += bytes;
    }

    /// <summary>
    /// A split operation's waits, each worker's wall time outside its share cut where the shares start and end: before
    /// its own start, between its end and the last worker's, and after that until <paramref name="stop"/>. Clamped at
    /// zero, in case two cores' clocks disagree by a tick.
    /// </summary>
    private WaitTicks Split(long start, long stop, int threads)
    {
        long last = long.MinValue, before = 0, uneven = 0;
        for (int w = 0; w < threads; w++) last = Math.Max(last, Finished[w]);
        for (int w = 0; w < threads; w++)
        {
            before += Math.Max(0, Started[w] - start);
            uneven += Math.Max(0, last - Finished[w]);
        }
        return new(before, uneven, threads * Math.Max(0, stop - last));
    }

    /// <summary>Forgets everything recorded.</summary>
    public void Clear() => Array.Clear(_totals);

    /// <summary>
    /// Adds this recorder's totals to <paramref name="into"/>, keyed by site, keeping the order sites were first met.
    /// When this recorder's operations ran on one of <paramref name="concurrent"/> workers running the same operations
    /// at once (images per worker), its times count 1/concurrent each, so that the parts still add up to the passes.
    /// </summary>
    public void AddTo(List<(OpSite Site, Totals Totals)> into, int concurrent = 1)
    {
        for (int i = 0; i < _sites.Count; i++)
        {
            var totals = _totals[i];
            totals.Ticks /= concurrent;
            totals.Waits = totals.Waits.DividedBy(concurrent);
            int at = into.FindIndex(e => ReferenceEquals(e.Site, _sites[i]));
            if (at < 0) into.Add((_sites[i], totals));
            else into[at] = (_sites[i], into[at].Totals + totals);
        }
    }

    /// <summary>Worker-ticks waited, by when (<see cref="OpWaits"/>).</summary>
    internal readonly record struct WaitTicks(long Start, long Uneven, long Join)
    {
        public long Total => Start + Uneven + Join;

        public static WaitTicks operator +(WaitTicks a, WaitTicks b) => new(a.Start + b.Start, a.Uneven + b.Uneven, a.Join + b.Join);

        public WaitTicks DividedBy(int n) => new(Start / n, Uneven / n, Join / n);

        public OpWaits ToMilliseconds(double msPerTick) => new(Start * msPerTick, Uneven * msPerTick, Join * msPerTick);
    }

    /// <summary>An operation's totals: calls, Stopwatch ticks, worker-ticks waited, multiply-adds, bytes.</summary>
    internal struct Totals
    {
        public long Calls, Ticks, MultiplyAdds, Bytes;
        public WaitTicks Waits;

        public static Totals operator +(Totals a, Totals b) => new()
        {
            Calls = a.Calls + b.Calls,
            Ticks = a.Ticks + b.Ticks,
            Waits = a.Waits + b.Waits,
            MultiplyAdds = a.MultiplyAdds + b.MultiplyAdds,
            Bytes = a.Bytes + b.Bytes,
        };
    }
}

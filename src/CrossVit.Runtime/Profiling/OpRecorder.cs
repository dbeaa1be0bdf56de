using System.Diagnostics;

namespace CrossVit.Runtime.Profiling;

/// <summary>
/// The timings of one <see cref="Kernels.ParallelKernels"/>' operations in a profiled session, by site. Each worker's busy time
/// in the current operation is written to <see cref="Busy"/> by the jobs; the operation's caller reads it when the
/// team has joined. Allocates only when it first meets a site.
/// </summary>
internal sealed class OpRecorder(int threads)
{
    private readonly Dictionary<OpSite, int> _index = new(ReferenceEqualityComparer.Instance);
    private readonly List<OpSite> _sites = [];
    private Totals[] _totals = new Totals[64];

    /// <summary>Stopwatch ticks each worker spent computing its share of the current operation.</summary>
    public long[] Busy { get; } = new long[threads];

    /// <summary>A Stopwatch timestamp.</summary>
    public static long Now() => Stopwatch.GetTimestamp();

    /// <summary>
    /// Adds the operation begun at <paramref name="start"/> to <paramref name="site"/>: run on a team of
    /// <paramref name="threads"/>, split across it when <paramref name="split"/> (its jobs filled <see cref="Busy"/>),
    /// else on the calling thread alone while the others idled.
    /// </summary>
    public void Stop(OpSite? site, long start, int threads, bool split, long multiplyAdds, long bytes = 0)
    {
        long wall = Stopwatch.GetTimestamp() - start, wait = 0;
        if (!split)
        {
            wait = (threads - 1) * wall;
        }
        else if (threads > 1)   // a lone worker waits for no one (the time outside its share is the call's own)
        {
            for (int w = 0; w < threads; w++)
            {
                wait += Math.Max(0, wall - Busy[w]);
                Busy[w] = 0;
            }
        }
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
        t.WaitTicks += wait;
        t.MultiplyAdds += multiplyAdds;
        t.Bytes += bytes;
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
            totals.WaitTicks /= concurrent;
            int at = into.FindIndex(e => ReferenceEquals(e.Site, _sites[i]));
            if (at < 0) into.Add((_sites[i], totals));
            else into[at] = (_sites[i], into[at].Totals + totals);
        }
    }

    /// <summary>An operation's totals: calls, Stopwatch ticks, worker-ticks waited, multiply-adds, bytes.</summary>
    internal struct Totals
    {
        public long Calls, Ticks, WaitTicks, MultiplyAdds, Bytes;

        public static Totals operator +(Totals a, Totals b) => new()
        {
            Calls = a.Calls + b.Calls,
            Ticks = a.Ticks + b.Ticks,
            WaitTicks = a.WaitTicks + b.WaitTicks,
            MultiplyAdds = a.MultiplyAdds + b.MultiplyAdds,
            Bytes = a.Bytes + b.Bytes,
        };
    }
}

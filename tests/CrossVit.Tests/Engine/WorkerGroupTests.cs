using CrossVit.Runtime.Engine;
using CrossVit.Runtime.Threading;
using Xunit;

namespace CrossVit.Tests.Engine;

/// <summary>A group of a pool's workers, led by one of them inside a pool job, as concurrent branches use it.</summary>
public sealed class WorkerGroupTests : IDisposable
{
    private readonly WorkerPool _pool = new(4);

    public void Dispose() => _pool.Dispose();

    [Fact]
    public void EveryMemberRunsEachOfTheLeadersJobsOnce()
    {
        var counts = new int[4];
        var lead = new LeadJob(new WorkerGroup(), 100, new CountJob(counts));
        lead.Group.Open(4);
        _pool.Run(lead);
        Assert.Equal([100, 100, 100, 100], counts);

        lead.Group.Open(4);   // a group is reused, stage after stage
        _pool.Run(lead);
        Assert.Equal([200, 200, 200, 200], counts);
    }

    [Fact]
    public void AMembersExceptionReachesTheLeaderAndThePoolStaysUsable()
    {
        var lead = new LeadJob(new WorkerGroup(), 1, new ThrowingJob(member: 2));
        lead.Group.Open(4);
        var e = Assert.Throws<AggregateException>(() => _pool.Run(lead));
        Assert.IsType<InvalidOperationException>(e.InnerException);

        var counts = new int[4];
        var again = new LeadJob(new WorkerGroup(), 3, new CountJob(counts));
        again.Group.Open(4);
        _pool.Run(again);
        Assert.Equal([3, 3, 3, 3], counts);
    }

    /// <summary>Worker 0 leads the group through <c>runs</c> runs of a job; the others serve.</summary>
    private sealed class LeadJob(WorkerGroup group, int runs, ParallelJob job) : ParallelJob
    {
        public WorkerGroup Group => group;

        public override void Execute(int worker, int workers)
        {
            if (worker != 0)
            {
                group.Serve(worker);
                return;
            }
            try
            {
                for (int i = 0; i < runs; i++) group.Run(job);
            }
            finally
            {
                group.Close();
            }
        }
    }

    private sealed class CountJob(int[] counts) : ParallelJob
    {
        public override void Execute(int worker, int workers) => Interlocked.Increment(ref counts[worker]);
    }

    private sealed class ThrowingJob(int member) : ParallelJob
    {
        public override void Execute(int worker, int workers)
        {
            if (worker == member) throw new InvalidOperationException("member failed");
        }
    }
}

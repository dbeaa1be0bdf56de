using CrossVit.Runtime.Engine;
using CrossVit.Runtime.Kernels;
using CrossVit.Runtime.Threading;
using Xunit;

namespace CrossVit.Tests.Engine;

/// <summary><see cref="BranchTeams"/> running the branches through a part of the pass on groups of a pool's workers.</summary>
public sealed class BranchTeamsTests : IDisposable
{
    private static readonly BranchCost[] Costs = [BranchSchedulingTests.Blocks(197, 256, 768, 4, 3), BranchSchedulingTests.Blocks(197, 256, 768, 4, 3)];

    private readonly WorkerPool _pool = new(3);

    public void Dispose() => _pool.Dispose();

    /// <summary>Teams whose partitions are planned for <see cref="Costs"/> at batch 1, as a session plans them at creation.</summary>
    private BranchTeams PlannedTeams(float[] tokens)
    {
        var teams = new BranchTeams(KernelSet.Create(IsaSupport.Best), _pool, 2, BranchScheduling.Concurrent);
        Assert.False(teams.Run(Costs, (_, _, _, _) => { }, Tensors(tokens), planning: true), "planning computes nothing");
        return teams;
    }

    private static PassTensors Tensors(float[] tokens) => new(tokens, [], 1, 0, 0);

    [Fact]
    public void EachBranchRunsOnceOnAThreadOfItsOwn()
    {
        var tokens = new float[2];
        var teams = PlannedTeams(tokens);
        var threads = new int[2];
        var calls = new int[2];
        void Forward(int branch, ParallelKernels k, PassTensors t, Workspace ws)
        {
            Interlocked.Increment(ref calls[branch]);
            threads[branch] = Environment.CurrentManagedThreadId;
            t.Tokens[branch] = branch + 1;
        }
        Assert.True(teams.Run(Costs, Forward, Tensors(tokens), planning: false));
        Assert.Equal([1, 1], calls);
        Assert.NotEqual(threads[0], threads[1]);
        Assert.Equal([1f, 2f], tokens);
    }

    [Fact]
    public void ABranchsExceptionReachesTheCallerAndThePoolStaysUsable()
    {
        var tokens = new float[2];
        var teams = PlannedTeams(tokens);
        static void Throwing(int branch, ParallelKernels k, PassTensors t, Workspace ws)
        {
            if (branch == 1) throw new InvalidOperationException("branch 1 failed");
        }
        var e = Assert.Throws<AggregateException>(() => teams.Run(Costs, Throwing, Tensors(tokens), planning: false));
        Assert.IsType<InvalidOperationException>(e.InnerException);

        var calls = new int[2];
        Assert.True(teams.Run(Costs, (branch, _, _, _) => Interlocked.Increment(ref calls[branch]), Tensors(tokens), planning: false));
        Assert.Equal([1, 1], calls);
    }

    [Fact]
    public void AnUnplannedPartOfThePassIsRefused()
    {
        var teams = new BranchTeams(KernelSet.Create(IsaSupport.Best), _pool, 2, BranchScheduling.Concurrent);
        var e = Assert.Throws<InvalidOperationException>(() => teams.Run(Costs, (_, _, _, _) => { }, Tensors(new float[2]), planning: false));
        Assert.Contains("not planned", e.Message, StringComparison.Ordinal);
    }
}

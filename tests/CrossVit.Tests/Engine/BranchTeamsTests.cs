using CrossVit.Runtime.Engine;
using CrossVit.Runtime.Kernels;
using Xunit;

namespace CrossVit.Tests.Engine;

/// <summary><see cref="BranchTeams"/> running the branches of a stage on groups of a pool's workers.</summary>
public sealed class BranchTeamsTests : IDisposable
{
    private static readonly BranchShape[] Shapes = [new(197, 256, 768, 4, 3), new(197, 256, 768, 4, 3)];

    private readonly WorkerPool _pool = new(3);

    public void Dispose() => _pool.Dispose();

    [Fact]
    public void EachBranchRunsOnceOnAThreadOfItsOwn()
    {
        var teams = new BranchTeams(KernelSet.Create(IsaSupport.Best), _pool, 2, BranchScheduling.Concurrent);
        var threads = new int[2];
        var calls = new int[2];
        void Forward(int branch, ParallelKernels k, Span<float> tokens, int batch, Workspace ws)
        {
            Interlocked.Increment(ref calls[branch]);
            threads[branch] = Environment.CurrentManagedThreadId;
            tokens[branch] = branch + 1;
        }
        var tokens = new float[2];
        Assert.True(teams.Run(Shapes, Forward, tokens, 1, planning: false));
        Assert.Equal([1, 1], calls);
        Assert.NotEqual(threads[0], threads[1]);
        Assert.Equal([1f, 2f], tokens);
    }

    [Fact]
    public void ABranchsExceptionReachesTheCallerAndThePoolStaysUsable()
    {
        var teams = new BranchTeams(KernelSet.Create(IsaSupport.Best), _pool, 2, BranchScheduling.Concurrent);
        var tokens = new float[2];
        static void Throwing(int branch, ParallelKernels k, Span<float> tokens, int batch, Workspace ws)
        {
            if (branch == 1) throw new InvalidOperationException("branch 1 failed");
        }
        var e = Assert.Throws<AggregateException>(() => teams.Run(Shapes, Throwing, tokens, 1, planning: false));
        Assert.IsType<InvalidOperationException>(e.InnerException);

        var calls = new int[2];
        Assert.True(teams.Run(Shapes, (branch, _, _, _, _) => Interlocked.Increment(ref calls[branch]), tokens, 1, planning: false));
        Assert.Equal([1, 1], calls);
    }
}

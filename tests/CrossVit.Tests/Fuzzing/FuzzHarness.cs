using System.Diagnostics;
using FsCheck;
using FsCheck.Fluent;

namespace CrossVit.Tests.Fuzzing;

/// <summary>
/// A parser under fuzzing: how to build inputs, how to read one, which exception it may throw, and how much it may
/// allocate for a given input (see <see cref="FuzzHarness"/> for the bound's reasoning per format).
/// </summary>
internal sealed record FuzzTarget(
    string Format,
    Gen<byte[]> Inputs,
    Action<byte[]> Read,
    Type Expected,
    Func<byte[], long> AllocationBound);

/// <summary>
/// Runs fuzz cases: each must end in success or the format's own exception with a non-empty message; anything else,
/// a case running past <see cref="TimeBudget"/>, or allocating more than the target's bound fails the test with the
/// input (base64) for reproduction.
/// </summary>
internal static class FuzzHarness
{
    /// <summary>Quick suite: part of every test run. Long: on demand, see <see cref="LongFuzzFactAttribute"/>.</summary>
    public const int QuickCases = 500, LongCases = 10_000;

    /// <summary>Far above any legitimate case (milliseconds); a case slower twice in a row is treated as a hang.</summary>
    public static readonly TimeSpan TimeBudget = TimeSpan.FromSeconds(2);

    public static void Run(FuzzTarget target, int cases) =>
        Check.One(Config.QuickThrowOnFailure.WithMaxTest(cases), Prop.ForAll(target.Inputs.ToArbitrary(), input => RunCase(target, input)));

    public static void RunCase(FuzzTarget target, byte[] input)
    {
        // A machine shared with other work can stall one run; a parser that loops does it on every run.
        var outcome = RunOnce(target, input);
        if (outcome.TimedOut) outcome = RunOnce(target, input);
        string Describe(string problem) =>
            $"{target.Format} fuzz case of {input.Length} bytes {problem}. Input (base64): {(input.Length <= 4096 ? Convert.ToBase64String(input) : "(over 4 KiB, not shown)")}";
        if (outcome.TimedOut) throw new FuzzFailure(Describe($"ran past the time budget of {TimeBudget.TotalSeconds} s twice"));
        if (outcome.Error is { } e)
        {
            if (!target.Expected.IsInstanceOfType(e))
                throw new FuzzFailure(Describe($"threw {e.GetType().FullName} instead of {target.Expected.Name}: {e}"));
            if (string.IsNullOrWhiteSpace(e.Message))
                throw new FuzzFailure(Describe($"threw {e.GetType().Name} with an empty message"));
        }
        long bound = target.AllocationBound(input);
        if (outcome.Allocated > bound)
            throw new FuzzFailure(Describe($"allocated {outcome.Allocated:N0} bytes; the bound for it is {bound:N0}"));
    }

    private readonly record struct Outcome(bool TimedOut, Exception? Error, long Allocated);

    /// <summary>
    /// Reads on a thread of its own: allocation is counted per thread, and a hung read can be abandoned
    /// (a background thread does not keep the test host alive).
    /// </summary>
    private static Outcome RunOnce(FuzzTarget target, byte[] input)
    {
        Exception? error = null;
        long allocated = 0;
        var thread = new Thread(() =>
        {
            long before = GC.GetAllocatedBytesForCurrentThread();
            try
            {
                target.Read(input);
            }
            catch (Exception e)
            {
                error = e;
            }
            allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        })
        { IsBackground = true };
        var clock = Stopwatch.StartNew();
        thread.Start();
        bool finished = thread.Join(TimeBudget);
        return new Outcome(!finished || clock.Elapsed > TimeBudget, error, allocated);
    }
}

/// <summary>A fuzz case broke the contract; the message carries the input.</summary>
internal sealed class FuzzFailure(string message) : Exception(message);

using System.Runtime.InteropServices;

namespace CrossVit.Benchmarks;

/// <summary>
/// This thread's CPU time (Linux CLOCK_THREAD_CPUTIME_ID). On a shared machine, time spent descheduled is not
/// counted, so tuning comparisons stay meaningful while other jobs run; off Linux it falls back to wall time.
/// </summary>
internal static partial class ThreadCpuClock
{
    private const int ClockThreadCpuTimeId = 3;

    public static double Seconds
    {
        get
        {
            if (OperatingSystem.IsLinux() && ClockGetTime(ClockThreadCpuTimeId, out var ts) == 0)
            {
                return ts.Seconds + (ts.Nanoseconds * 1e-9);
            }

            return System.Diagnostics.Stopwatch.GetTimestamp() / (double)System.Diagnostics.Stopwatch.Frequency;
        }
    }

    [LibraryImport("libc", EntryPoint = "clock_gettime")]
    private static partial int ClockGetTime(int clockId, out TimeSpec time);

    [StructLayout(LayoutKind.Sequential)]
    private struct TimeSpec
    {
        public long Seconds;
        public long Nanoseconds;
    }
}

"""What two cores of this machine give a model without any sharing of work: in alternating rounds, one pass on one core
alone, two independent one-thread passes at once (two processes, one pinned to each core), and `crossvit bench`'s
two-thread pass. Two independent passes share nothing but the machine (caches, memory, clocks), so their throughput
over one alone is the most a two-thread pass could gain here; the two-thread pass's speed-up is set against it.
Standard-library Python and `taskset` (util-linux); builds nothing (run `dotnet build src/CrossVit.Cli -c Release`).

    python3 perf/targets/ceiling.py [--rounds 7] [--cli .../crossvit.dll] [--models crossvit_9_dagger_240 ...] [--batch 1]

Each round's host state (performance.md, "Two threads and the host") is that of the two-thread run's cross-core probes
(`hand_over_us`, before and after its runs); a round whose probes disagree counts as mixed. Prints a Markdown table per
state: medians of the latencies, the two speed-ups and their ratio.
"""
import argparse
import os
import statistics
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
import hoststate  # noqa: E402 (perf/hoststate.py)
from run import command_line, last_json  # noqa: E402 (perf/targets/run.py, beside this file)


def bench(cli, model, batch, threads, cpu=None):
    """`crossvit bench --json` (on one CPU when given); returns the process, so two can run at once."""
    command = command_line(cli, "bench", model, batch, threads, 20)
    if cpu is not None:
        command = ["taskset", "-c", str(cpu)] + command
    return subprocess.Popen(command, stdout=subprocess.PIPE, text=True)


def result(process):
    """The JSON line a bench process prints last."""
    out, _ = process.communicate()
    if process.returncode != 0:
        raise SystemExit(f"crossvit bench failed with exit code {process.returncode}")
    return last_json(out)


def round_of(cli, model, batch, reverse):
    """One round: (alone ms, the two concurrent medians in ms, two-thread ms, the two-thread run's probes)."""
    def alone():
        return result(bench(cli, model, batch, 1, cpu=0))["median_ms"]

    def concurrent():
        pair = [bench(cli, model, batch, 1, cpu=cpu) for cpu in (0, 1)]
        return [result(p)["median_ms"] for p in pair]

    def two_threads():
        r = result(bench(cli, model, batch, 2))
        return r["median_ms"], r["hand_over_us"]

    steps = [alone, concurrent, two_threads]
    values = {step: step() for step in (steps[::-1] if reverse else steps)}
    (ms2, probes) = values[two_threads]
    return values[alone], values[concurrent], ms2, probes


def table(model, batch, rounds, label):
    if not rounds:
        return
    alone = statistics.median(r[0] for r in rounds)
    concurrent = statistics.median(statistics.mean(r[1]) for r in rounds)
    ours = statistics.median(r[2] for r in rounds)
    independent, speedup = 2 * alone / concurrent, alone / ours
    print(f"| {model} | {batch} | {label} | {len(rounds)} | {alone:.2f} | {concurrent:.2f} | {independent:.2f}× | {ours:.2f} "
          f"| {speedup:.2f}× | {speedup / independent:.3f} |")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--cli", default=os.path.join(os.path.dirname(__file__), "../../src/CrossVit.Cli/bin/Release/net10.0/crossvit.dll"))
    parser.add_argument("--models", nargs="+", default=["crossvit_9_dagger_240"])
    parser.add_argument("--batch", type=int, default=1)
    args = parser.parse_args()
    if (os.cpu_count() or 1) < 2:
        raise SystemExit("needs two CPUs")
    print(f"load average before: {os.getloadavg()[0]:.2f}")
    runs = {model: [round_of(args.cli, model, args.batch, i % 2 == 1) for i in range(args.rounds)] for model in args.models}
    print(f"load average after: {os.getloadavg()[0]:.2f}\n")
    threshold = hoststate.slow_above(p for rounds in runs.values() for r in rounds for p in r[3])
    print("alone: one one-thread pass on CPU 0; at once: each of two one-thread passes run together on CPUs 0 and 1; "
          "independent: their throughput over one alone (2 × alone / at once); two-thread: `crossvit bench --threads 2`\n")
    print("| model | batch | host state | rounds | alone, ms | at once, ms | independent | two-thread, ms | two-thread speed-up "
          "| two-thread / independent |")
    print("|---|---:|---|---:|---:|---:|---:|---:|---:|---:|")
    for model, rounds in runs.items():
        if threshold is None:
            table(model, args.batch, rounds, "one state")
            continue
        states = {"fast": [], "slow": [], "mixed": []}
        for r in rounds:
            slow = [p > threshold for p in r[3]]
            states["slow" if all(slow) else "fast" if not any(slow) else "mixed"].append(r)
        for label, kept in states.items():
            table(model, args.batch, kept, label)


if __name__ == "__main__":
    main()

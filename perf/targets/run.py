"""The speed targets of the project against this machine's FMA loop: `crossvit bench` of each setting in alternating
rounds, medians of latency and of the fraction of the FMA loop that bench measured in the same run, and the speed-up
from one thread to two. Standard-library Python; builds nothing (run `dotnet build src/CrossVit.Cli -c Release`).

    python3 perf/targets/run.py [--rounds 5] [--cli src/CrossVit.Cli/bin/Release/net10.0/crossvit.dll]
        [--against OTHER/crossvit.dll [--profile]] [--only MODEL[:BATCH:THREADS] ...]

Prints a Markdown table and the load average before and after. With --against, an A/B of two builds (each built into
its own folder: `dotnet build src/CrossVit.Cli -c Release -o DIR`): every setting runs on both, in alternating order,
and the table gives both medians, their ratio, and the median of each round's ratio (the builds' runs of a setting
follow one another within a round); with --profile as well, the runs are `crossvit profile` and each
setting gets a table of its op kinds. --only keeps the settings named (a model alone: all its rows).

Two-thread timings on a virtual machine depend on where the host has placed the vCPUs (performance.md, "Two threads
and the host"). `crossvit bench` probes that on both sides of its runs (`hand_over_us`); when the probes of this
invocation fall into two groups (the largest ratio between consecutive sorted values over 2), each two-thread run is
marked fast or slow by its higher probe, and the tables add the medians of the fast runs, and of the rounds whose runs
were all fast.
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
import hoststate  # noqa: E402 (perf/hoststate.py, shared with perf/compare)

# (model, batch, threads): the settings the targets name; each model's one-thread row gives its 1 -> 2 speed-up.
SETTINGS = [(model, 1, threads) for model in ("crossvit_tiny_240", "crossvit_9_dagger_240", "crossvit_small_240",
                                              "crossvit_18_dagger_240", "crossvit_base_240") for threads in (1, 2)]
SETTINGS += [("crossvit_9_dagger_240", 8, 1), ("crossvit_9_dagger_240", 8, 2)]


def command_line(cli, command, model, batch, threads, iterations):
    """`crossvit COMMAND ... --json` with 3 warm-up runs (perf/targets/ceiling.py runs it too)."""
    return ["dotnet", cli, command, "--model", model, "--batch", str(batch), "--threads", str(threads),
            "--warmup", "3", "--iterations", str(iterations), "--json"]


def last_json(stdout):
    """The JSON line a `crossvit ... --json` run prints last."""
    return json.loads(stdout.strip().splitlines()[-1])


def run_json(cli, command, model, batch, threads, iterations):
    """One `crossvit COMMAND ... --json` run: the JSON line it prints last."""
    out = subprocess.run(command_line(cli, command, model, batch, threads, iterations), check=True, capture_output=True, text=True)
    return last_json(out.stdout)


def bench(cli, model, batch, threads):
    """One `crossvit bench --json` run: its median latency (ms), its fraction of the FMA loop, and the higher of the
    cross-core probes around it (µs; None on one thread)."""
    result = run_json(cli, "bench", model, batch, threads, 10 if model == "crossvit_base_240" or batch > 1 else 20)
    probes = result.get("hand_over_us")
    return result["median_ms"], result["gflops"] / result["peak_gflops"], max(probes) if probes else None


def two_thread_probes(runs):
    """The higher cross-core probe of every two-thread run of this invocation (µs)."""
    return [r[2] for rs in runs.values() for r in rs if r[2] is not None]


def slow_above(runs):
    """The slow state's probe threshold over every two-thread run of this invocation (hoststate.slow_above)."""
    return hoststate.slow_above(two_thread_probes(runs))


def probe_groups(runs, threshold):
    """The two-thread runs' higher probes, as count and range below the threshold and above it: which state "fast" was
    here (a few µs, or a slow state's dozen when every run was slow and a few slower still)."""
    probes = sorted(two_thread_probes(runs))
    if not probes:
        return "none"
    groups = [probes] if threshold is None else [[p for p in probes if p < threshold], [p for p in probes if p >= threshold]]
    return "; ".join(f"{len(g)} at {g[0]:.1f}–{g[-1]:.1f}" for g in groups if g)


def fast(run, threshold):
    """Whether a run met the fast state: one-thread runs and invocations without two states always do."""
    return threshold is None or run[2] is None or run[2] < threshold


def profile(cli, model, batch, threads):
    """One `crossvit profile --json` run: milliseconds per pass of the whole pass and of each op kind."""
    result = run_json(cli, "profile", model, batch, threads, 10)
    return {"pass": result["pass_ms"], **{k["kind"]: k["ms"] for k in result["kinds"]}}


def selected(only):
    """The settings --only names: a model alone keeps all its rows, model:batch:threads one of them."""
    if not only:
        return SETTINGS
    keep = [tuple([p[0]] + [int(x) for x in p[1:]]) for p in (o.split(":") for o in only)]
    return [s for s in SETTINGS if any(k == s[:len(k)] for k in keep)]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--cli", default=os.path.join(os.path.dirname(__file__), "../../src/CrossVit.Cli/bin/Release/net10.0/crossvit.dll"))
    parser.add_argument("--against", help="a second build's crossvit.dll, for an A/B of the two")
    parser.add_argument("--profile", action="store_true", help="with --against: compare op kinds through crossvit profile")
    parser.add_argument("--only", nargs="+", help="MODEL or MODEL:BATCH:THREADS settings to keep")
    args = parser.parse_args()
    settings = selected(args.only)
    clis = [args.cli] + ([args.against] if args.against else [])
    print(f"load average before: {os.getloadavg()[0]:.2f}")
    runs = {(cli, setting): [] for cli in clis for setting in settings}
    for round_ in range(args.rounds):
        # Alternate the order so that a slow spell does not always fall on the same settings or the same build.
        order = [(cli, setting) for setting in settings for cli in clis]
        for cli, setting in (order if round_ % 2 == 0 else order[::-1]):
            runs[(cli, setting)].append((profile if args.profile else bench)(cli, *setting))
    print(f"load average after: {os.getloadavg()[0]:.2f}\n")
    threshold = None if args.profile else slow_above(runs)
    if threshold is not None:
        print(f"host state: a two-thread run met the slow state when a cross-core probe around it took over {threshold:.1f} µs "
              "(64 KB hand-over); the fast columns keep the other runs\n")
    if not args.profile:
        print(f"cross-core probes of the two-thread runs (µs): {probe_groups(runs, threshold)}\n")
    if args.against and args.profile:
        for setting in settings:
            ab_profile_table(runs, setting, args.against, args.cli)
    elif args.against:
        ab_table(runs, settings, args.against, args.cli, threshold)
    else:
        table(runs, settings, args.cli, threshold)


def spread(values, spec):
    """The median of values and, in brackets, their range, each formatted by spec."""
    return f"{format(statistics.median(values), spec)} ({format(min(values), spec)}–{format(max(values), spec)})"


def table(runs, settings, cli, threshold):
    states = threshold is not None
    print("| model | batch | threads | median ms (range) | of the FMA loop, median (range) | 1 → 2 threads |"
          + (" fast state: runs, median ms, of the loop, 1 → 2 |" if states else ""))
    print("|---|---:|---:|---:|---:|---:|" + ("---:|" if states else ""))
    for model, batch, threads in settings:
        setting_runs = runs[(cli, (model, batch, threads))]
        ms = [r[0] for r in setting_runs]
        fraction = [r[1] for r in setting_runs]
        one = runs.get((cli, (model, batch, 1)))
        speedup = f"{statistics.median(r[0] for r in one) / statistics.median(ms):.2f}×" if threads > 1 and one else ""
        row = f"| {model} | {batch} | {threads} | {spread(ms, '.1f')} | {spread(fraction, '.0%')} | {speedup} |"
        if states:
            row += f" {fast_column(setting_runs, one, threshold)} |"
        print(row)


def fast_column(setting_runs, one_thread_runs, threshold):
    """A setting's runs in the fast state: how many, their median ms and fraction of the loop, and the 1 → 2 speed-up."""
    kept = [r for r in setting_runs if fast(r, threshold)]
    if not kept:
        return f"0 of {len(setting_runs)}"
    ms = statistics.median(r[0] for r in kept)
    column = f"{len(kept)} of {len(setting_runs)}, {ms:.1f}, {statistics.median(r[1] for r in kept):.0%}"
    if setting_runs[0][2] is not None and one_thread_runs:
        column += f", {statistics.median(r[0] for r in one_thread_runs) / ms:.2f}×"
    return column


def paired(a, b):
    """Each round's after / before, median (range): the two builds of a round run back to back, so a slow spell of the
    host that spans a round divides out, where it moves one build's median more than the other's."""
    return spread([y / x for x, y in zip(a, b)], '.3f')


def ab_table(runs, settings, before, after, threshold):
    states = threshold is not None
    print("| model | batch | threads | before: median ms (range) | after: median ms (range) | after / before "
          "| per round: after / before |" + (" rounds all fast: per round |" if states else ""))
    print("|---|---:|---:|---:|---:|---:|---:|" + ("---:|" if states else ""))
    for setting in settings:
        a = [r[0] for r in runs[(before, setting)]]
        b = [r[0] for r in runs[(after, setting)]]
        row = (f"| {setting[0]} | {setting[1]} | {setting[2]} | {spread(a, '.2f')} | {spread(b, '.2f')} "
               f"| {statistics.median(b) / statistics.median(a):.3f} | {paired(a, b)} |")
        if states:
            both = [(x[0], y[0]) for x, y in zip(runs[(before, setting)], runs[(after, setting)]) if fast(x, threshold) and fast(y, threshold)]
            row += f" {len(both)}: {paired(*zip(*both))} |" if both else " 0 |"
        print(row)


def ab_profile_table(runs, setting, before, after):
    print(f"{setting[0]}, batch {setting[1]}, {setting[2]} thread(s): ms per pass, medians (ranges)\n")
    print("| op kind | before | after | after / before | per round: after / before |")
    print("|---|---:|---:|---:|---:|")
    for kind in runs[(before, setting)][0]:
        a = [r[kind] for r in runs[(before, setting)]]
        b = [r[kind] for r in runs[(after, setting)]]
        ratio, per_round = (f"{statistics.median(b) / statistics.median(a):.3f}", paired(a, b)) if min(a) > 0 else ("", "")
        print(f"| {kind} | {spread(a, '.3f')} | {spread(b, '.3f')} | {ratio} | {per_round} |")
    print()


if __name__ == "__main__":
    main()

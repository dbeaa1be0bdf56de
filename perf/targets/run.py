"""The speed targets of the project against this machine's FMA loop: `crossvit bench` of each setting in alternating
rounds, medians of latency and of the fraction of the FMA loop that bench measured in the same run, and the speed-up
from one thread to two. Standard-library Python; builds nothing (run `dotnet build src/CrossVit.Cli -c Release`).

    python3 perf/targets/run.py [--rounds 5] [--cli src/CrossVit.Cli/bin/Release/net10.0/crossvit.dll]

Prints a Markdown table and the load average before and after.
"""
import argparse
import json
import os
import statistics
import subprocess

# (model, batch, threads): the settings the targets name; each model's one-thread row gives its 1 -> 2 speed-up.
SETTINGS = [(model, 1, threads) for model in ("crossvit_tiny_240", "crossvit_9_dagger_240", "crossvit_small_240",
                                              "crossvit_18_dagger_240", "crossvit_base_240") for threads in (1, 2)]
SETTINGS += [("crossvit_9_dagger_240", 8, 1), ("crossvit_9_dagger_240", 8, 2)]


def bench(cli, model, batch, threads):
    """One `crossvit bench --json` run: its median latency (ms) and its fraction of the FMA loop."""
    iterations = "10" if model == "crossvit_base_240" or batch > 1 else "20"
    out = subprocess.run(["dotnet", cli, "bench", "--model", model, "--batch", str(batch), "--threads", str(threads),
                          "--warmup", "3", "--iterations", iterations, "--json"], check=True, capture_output=True, text=True)
    result = json.loads(out.stdout.strip().splitlines()[-1])
    return result["median_ms"], result["gflops"] / result["peak_gflops"]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--cli", default=os.path.join(os.path.dirname(__file__), "../../src/CrossVit.Cli/bin/Release/net10.0/crossvit.dll"))
    args = parser.parse_args()
    print(f"load average before: {os.getloadavg()[0]:.2f}")
    runs = {setting: [] for setting in SETTINGS}
    for round_ in range(args.rounds):
        # Alternate the order so that a slow spell does not always fall on the same settings.
        for setting in (SETTINGS if round_ % 2 == 0 else SETTINGS[::-1]):
            runs[setting].append(bench(args.cli, *setting))
    print(f"load average after: {os.getloadavg()[0]:.2f}\n")
    print("| model | batch | threads | median ms (range) | of the FMA loop, median (range) | 1 → 2 threads |")
    print("|---|---:|---:|---:|---:|---:|")
    for model, batch, threads in SETTINGS:
        ms = [m for m, _ in runs[(model, batch, threads)]]
        fraction = [f for _, f in runs[(model, batch, threads)]]
        speedup = ""
        if threads == 2 and (model, batch, 1) in runs:
            speedup = f"{statistics.median(m for m, _ in runs[(model, batch, 1)]) / statistics.median(ms):.2f}×"
        print(f"| {model} | {batch} | {threads} | {statistics.median(ms):.1f} ({min(ms):.1f}–{max(ms):.1f}) "
              f"| {statistics.median(fraction):.0%} ({min(fraction):.0%}–{max(fraction):.0%}) | {speedup} |")


if __name__ == "__main__":
    main()

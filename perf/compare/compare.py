"""Checks that CrossVit.NET, PyTorch and ONNX Runtime compute the same logits, then times them alternately.

PyTorch runs in this process, ONNX Runtime through its .NET API in a resident process (`CrossVit.Benchmarks ort`,
perf/CrossVit.Benchmarks/OnnxRuntimeRunner.cs), ours as one `crossvit bench --json` per burst (it times in-process,
so process start and load are excluded).
Each round runs one burst of each (warmup + iterations, burst median); a runtime's figure is the median of its
burst medians. Expects WORKDIR/MODEL.safetensors and WORKDIR/MODEL.onnx (run.sh writes them).
"""
import argparse
import datetime
import json
import os
import platform
import shlex
import statistics
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import torch

import crossvit_torch

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
import hoststate  # noqa: E402 (perf/hoststate.py, shared with perf/targets)

HERE = Path(__file__).resolve().parent
TOLERANCE = 1e-3  # max abs difference of the logits
IMAGE = 240


def ints(text):
    return [int(v) for v in text.split(",")]


class Ort:
    """`CrossVit.Benchmarks ort` driven over stdin/stdout, one request at a time."""

    def __init__(self, command):
        self.proc = subprocess.Popen(shlex.split(command), cwd=HERE, text=True,
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE)

    def call(self, **request):
        self.proc.stdin.write(json.dumps(request) + "\n")
        self.proc.stdin.flush()
        reply = json.loads(self.proc.stdout.readline() or '{"ok": false, "error": "the ONNX Runtime runner exited"}')
        if not reply.pop("ok"):
            sys.exit(f"ONNX Runtime: {reply['error']}")
        return reply

    def close(self):
        self.proc.stdin.close()
        self.proc.wait()


class Ours:
    def __init__(self, command):
        self.command = shlex.split(command)

    def __call__(self, *args):
        done = subprocess.run(self.command + [str(a) for a in args], capture_output=True, text=True)
        if done.returncode != 0:
            sys.exit(f"crossvit {args[0]} failed: {done.stderr.strip()}")
        return done.stdout


def write_input(workdir, batch):
    """The seeded input batch, as .npy for ours and raw float32 for ONNX Runtime."""
    x = np.random.default_rng(batch).standard_normal((batch, 3, IMAGE, IMAGE), dtype=np.float32)
    np.save(workdir / f"x{batch}.npy", x)
    x.tofile(workdir / f"x{batch}.f32")
    return x


def check_agreement(model_name, model, workdir, batch, x, ort, ours, threads):
    with torch.inference_mode():
        torch_logits = model(torch.from_numpy(x)).numpy()
    ort.call(cmd="run", input=str(workdir / f"x{batch}.f32"), shape=list(x.shape), output=str(workdir / "y_ort.f32"))
    ort_logits = np.fromfile(workdir / "y_ort.f32", dtype=np.float32).reshape(torch_logits.shape)
    ours("run", "--weights", workdir / f"{model_name}.safetensors", "--input", workdir / f"x{batch}.npy",
         "--output", workdir / "y_ours.npy", "--threads", threads)
    our_logits = np.load(workdir / "y_ours.npy")
    diffs = {"torch_vs_ours": float(np.abs(torch_logits - our_logits).max()),
             "ort_vs_ours": float(np.abs(ort_logits - our_logits).max()),
             "torch_vs_ort": float(np.abs(torch_logits - ort_logits).max())}
    print(f"agreement {model_name} batch {batch}: " + ", ".join(f"{k} {v:.2e}" for k, v in diffs.items()), flush=True)
    if max(diffs.values()) > TOLERANCE:
        sys.exit(f"{model_name} batch {batch}: logits differ by more than {TOLERANCE}; not timing different computations")
    return {"model": model_name, "batch": batch, "max_abs_diff": diffs, "max_abs_logit": float(np.abs(torch_logits).max())}


def torch_burst(model, x, warmup, iterations):
    times = []
    with torch.inference_mode():
        for i in range(warmup + iterations):
            start = time.perf_counter()
            model(x)
            times.append((time.perf_counter() - start) * 1e3)
    return statistics.median(times[warmup:])


def time_config(args, model_name, model, ort, ours, batch, threads, workdir):
    x = torch.from_numpy(np.load(workdir / f"x{batch}.npy"))
    bursts = {"torch": [], "ort": [], "ours": []}
    floors = []       # per burst of ours: the FMA-loop floor (ms)
    hand_over = []    # per burst of ours on two threads or more: the higher cross-core probe around it (µs), by round
    isa = None
    for _ in range(args.rounds):
        bursts["torch"].append(torch_burst(model, x, args.warmup, args.iterations))
        reply = ort.call(cmd="bench", input=str(workdir / f"x{batch}.f32"), shape=list(x.shape),
                         warmup=args.warmup, iterations=args.iterations)
        bursts["ort"].append(statistics.median(reply["times_ms"]))
        # bench prints progress first; its last line is the JSON result.
        result = json.loads(ours("bench", "--model", model_name, "--weights", workdir / f"{model_name}.safetensors",
                                 "--batch", batch, "--threads", threads, "--warmup", args.warmup,
                                 "--iterations", args.iterations, "--json").strip().splitlines()[-1])
        bursts["ours"].append(result["median_ms"])
        # What no run can beat on these threads at the moment: the pass's FLOPs at the FMA loop bench measured first.
        floors.append(result["gflops"] * result["median_ms"] / result["peak_gflops"])
        if "hand_over_us" in result:
            hand_over.append(max(result["hand_over_us"]))
        isa = result["isa"]
    ms = {k: statistics.median(v) for k, v in bursts.items()}
    row = {"model": model_name, "batch": batch, "threads": threads, "ours_ms": ms["ours"], "torch_ms": ms["torch"],
           "date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"), "loadavg": os.getloadavg()[0],
           "ort_ms": ms["ort"], "torch_over_ours": ms["torch"] / ms["ours"], "ort_over_ours": ms["ort"] / ms["ours"],
           "floor_ms": statistics.median(floors), "ort_over_floor": ms["ort"] / statistics.median(floors),
           "isa": isa, "burst_medians_ms": bursts, "hand_over_us": hand_over}
    print(f"{model_name} batch {batch} threads {threads}: ours {ms['ours']:.1f} ms, PyTorch {ms['torch']:.1f} ms, "
          f"ONNX Runtime {ms['ort']:.1f} ms", flush=True)
    return row


def mark_fast_rounds(results):
    """On two threads or more, the rounds whose burst of ours met the host's fast state (its probe below the split of
    this invocation's probes, hoststate.slow_above), and the median of their per-round ONNX Runtime / ours: the
    ratio with the host's state held fixed on our side, where the plain medians mix the states. Nothing is marked
    when the probes form one group: which state that was, the hand-over column says."""
    threshold = hoststate.slow_above(p for r in results for p in r["hand_over_us"])
    if threshold is None:
        return
    for r in results:
        if r["hand_over_us"]:
            fast = [i for i, p in enumerate(r["hand_over_us"]) if p < threshold]
            ratios = [r["burst_medians_ms"]["ort"][i] / r["burst_medians_ms"]["ours"][i] for i in fast]
            r["fast_rounds"] = len(fast)
            r["ort_over_ours_fast_rounds"] = statistics.median(ratios) if ratios else None


def cpu_name():
    """lscpu's model name with its family and model numbers: VMs of different Xeons can share one name."""
    out = subprocess.run(["lscpu"], capture_output=True, text=True).stdout
    pairs = (line.split(":", 1) for line in out.splitlines() if ":" in line)
    fields = {key.strip(): value.strip() for key, value in pairs}
    name = fields.get("Model name", platform.processor())
    if "CPU family" in fields and "Model" in fields:
        name += f", family {fields['CPU family']}, model {fields['Model']}"
    return name


def same_machine(old, new):
    """Whether a report's environment was this machine's: the same CPU count and CPU, where a report from before the
    family and model numbers were recorded names the model only."""
    legacy = ", family " not in old["cpu"] and new["cpu"].startswith(old["cpu"] + ", family ")
    return old["cpus"] == new["cpus"] and (old["cpu"] == new["cpu"] or legacy)


def blas_library():
    """The BLAS PyTorch's Linear layers call (Debian's torch uses whichever libblas.so.3 is selected)."""
    with open("/proc/self/maps") as maps:
        paths = {line.split()[-1] for line in maps if "/libblas" in line}
    return ", ".join(sorted(paths)) or "unknown"


def markdown(report):
    env = report["environment"]
    lines = [
        f"Measured {env['date']} on {env['cpu']} ({env['cpus']} CPUs; load average {env['loadavg_start']:.1f} at start, "
        f"{env['loadavg_end']:.1f} at end); ours on {report['results'][0]['isa']}, PyTorch {env['torch']} "
        f"(BLAS: {env['torch_blas']}), ONNX Runtime {env['onnxruntime']} ({env.get('onnxruntime_api', 'onnxruntime-node')}).",
        f"Median of {env['rounds']} alternating bursts, each the median of {env['iterations']} runs after "
        f"{env['warmup']} warmup. Ratio > 1: the peer is slower than ours. Hand-over: `crossvit bench`'s cross-core probe "
        "around our bursts on two threads, median (range), which tells the host's state (docs/performance.md, "
        "\"Two threads and the host\"). Floor: the pass's FLOPs at the FMA loop `crossvit bench` measured before each "
        "of our bursts (median), the time no run can beat on those threads then; ONNX Runtime / floor is the most any "
        "engine could be ahead of ONNX Runtime in that row. Fast rounds: the rounds whose burst of ours met the host's "
        "fast state, and the median of their per-round ONNX Runtime / ours.",
        "",
        "| model | batch | threads | ours ms | PyTorch ms | ONNX Runtime ms | PyTorch / ours | ONNX Runtime / ours "
        "| floor ms | ONNX Runtime / floor | hand-over µs | fast rounds: ONNX Runtime / ours |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in report["results"]:
        probes = r.get("hand_over_us") or []
        hand = f"{statistics.median(probes):.1f} ({min(probes):.1f}–{max(probes):.1f})" if probes else "–"
        # Rows measured before the floor was recorded have none.
        floor, ceiling = (f"{r['floor_ms']:.1f}", f"{r['ort_over_floor']:.2f}") if "floor_ms" in r else ("–", "–")
        ratio, rounds = r.get("ort_over_ours_fast_rounds"), len(r["burst_medians_ms"]["ours"])
        fast = f"{r['fast_rounds']} of {rounds}: {ratio:.2f}" if ratio is not None else (f"0 of {rounds}" if "fast_rounds" in r else "–")
        lines.append(f"| {r['model']} | {r['batch']} | {r['threads']} | {r['ours_ms']:.1f} | {r['torch_ms']:.1f} | "
                     f"{r['ort_ms']:.1f} | {r['torch_over_ours']:.2f} | {r['ort_over_ours']:.2f} | {floor} | {ceiling} | {hand} | {fast} |")
    return "\n".join(lines) + "\n"


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--crossvit", required=True, help="command that runs our CLI, e.g. 'dotnet path/crossvit.dll'")
    p.add_argument("--ort", required=True, help="command that runs the ONNX Runtime runner, e.g. 'dotnet path/CrossVit.Benchmarks.dll ort'")
    p.add_argument("--workdir", type=Path, required=True)
    p.add_argument("--models", type=lambda s: s.split(","), required=True)
    p.add_argument("--batch", type=ints, required=True)
    p.add_argument("--threads", type=ints, required=True)
    p.add_argument("--rounds", type=int, default=3)
    p.add_argument("--warmup", type=int, default=1)
    p.add_argument("--iterations", type=int, default=2)
    p.add_argument("--json", type=Path, default=HERE / "results.json")
    p.add_argument("--md", type=Path, default=HERE / "results.md")
    p.add_argument("--append", action="store_true",
                   help="add the rows to those already in --json (replacing any of the same model, batch and threads)")
    args = p.parse_args()

    machine = {"cpu": cpu_name(), "cpus": os.cpu_count()}
    old = json.loads(args.json.read_text()) if args.append and args.json.exists() else None
    if old is not None and not same_machine(old["environment"], machine):
        # One report is one machine's: its header names one CPU for every row.
        sys.exit(f"{args.json} holds rows measured on {old['environment']['cpu']} ({old['environment']['cpus']} CPUs), "
                 f"but this machine is {machine['cpu']} ({machine['cpus']} CPUs): run without --append to start this "
                 "machine's report in its place, or move the file aside first.")

    ours, ort = Ours(args.crossvit), Ort(args.ort)
    loadavg_start = os.getloadavg()[0]
    if loadavg_start > os.cpu_count():
        # Spin-waiting thread pools (PyTorch's OpenMP above all) lose whole time slices on a busy machine.
        print(f"warning: load average {loadavg_start:.1f} on {os.cpu_count()} CPUs; multi-thread times will be noisy",
              flush=True)
    agreement, results = [], []
    for batch in args.batch:
        write_input(args.workdir, batch)
    for name in args.models:
        model = crossvit_torch.load(args.workdir / f"{name}.safetensors")
        for threads in args.threads:
            torch.set_num_threads(threads)
            ort_version = ort.call(cmd="load", model=str(args.workdir / f"{name}.onnx"), threads=threads)["version"]
            if threads == args.threads[0]:  # once per model and batch: threads change only rounding
                for batch in args.batch:
                    x = np.load(args.workdir / f"x{batch}.npy")
                    agreement.append(check_agreement(name, model, args.workdir, batch, x, ort, ours, threads))
            for batch in args.batch:
                results.append(time_config(args, name, model, ort, ours, batch, threads, args.workdir))
    ort.close()
    mark_fast_rounds(results)

    report = {
        "environment": {
            "date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
            **machine, "loadavg_start": loadavg_start,
            "loadavg_end": os.getloadavg()[0], "torch": torch.__version__, "torch_blas": blas_library(),
            "onnxruntime": ort_version, "onnxruntime_api": ".NET API, Microsoft.ML.OnnxRuntime", "rounds": args.rounds,
            "warmup": args.warmup, "iterations": args.iterations,
        },
        "tolerance": TOLERANCE,
        "agreement": agreement,
        "results": results,
    }
    if old is not None:
        # One report from several runs (a larger model at fewer settings, or rows measured again): the environment
        # spans them, and a row measured again replaces the old one in its place.
        env, old_env = report["environment"], old["environment"]
        env["date"] = f"{old_env['date'].split(' to ')[0]} to {env['date']}"
        env["loadavg_start"] = old_env["loadavg_start"]
        timed = {(r["model"], r["batch"], r["threads"]): r for r in results}
        checked = {(a["model"], a["batch"]) for a in agreement}
        report["agreement"] = [a for a in old["agreement"] if (a["model"], a["batch"]) not in checked] + agreement
        kept = [timed.pop((r["model"], r["batch"], r["threads"]), r) for r in old["results"]]
        report["results"] = kept + list(timed.values())
    args.json.write_text(json.dumps(report, indent=2) + "\n")
    table = markdown(report)
    args.md.write_text(table)
    print()
    print(table)


if __name__ == "__main__":
    main()

"""On-demand differential check: random configs through `crossvit init` and `crossvit run`, against
perf/compare/crossvit_torch.py in float64, to the golden tests' bar (1e-4 · max(1, max|reference|)). Exits 1 on any
mismatch or failure. Not part of `dotnet test` (it needs PyTorch); the cases it finds worth keeping go to generate.py.

    /usr/bin/python3 tests/CrossVit.Tests/data/reference/sweep.py path/to/crossvit.dll [--seed S] [--cases N]
"""
import argparse
import json
import os
import random
import subprocess
import tempfile

import numpy as np

from generate import BASE, random_input, reference


def random_case(rng):
    """A config with every option drawn at random, and an input shape (batch, height, width)."""
    branches = rng.choice([1, 2, 2, 3])
    dagger = rng.random() < 0.3
    patch = [rng.choice([12, 16] if dagger else [4, 6, 8, 12, 16]) for _ in range(branches)]
    heads = [rng.choice([1, 2, 3, 4]) for _ in range(branches)]
    # The dagger stem's first two convolutions have embed_dim / 4 and / 2 channels.
    embed = [h * rng.choice([4, 8, 12]) * (4 if dagger else 1) for h in heads]
    img = [p * rng.choice([2, 3, 4]) for p in patch]
    # timm's MultiScaleBlock needs at least one block per branch; fusion depth may be 0.
    depth = [[rng.choice([1, 1, 2]) for _ in range(branches)] + [rng.choice([0, 1, 2])] for _ in range(rng.choice([1, 2]))]
    config = dict(BASE, in_channels=rng.choice([1, 3, 3, 4]), img_size=img, patch_size=patch, embed_dim=embed,
                  depth=depth, num_heads=heads, num_classes=rng.choice([0, 3, 7]), multi_conv=dagger,
                  mlp_ratio=[rng.choice([1, 1.5, 2, 3, 4]) for _ in range(branches)], qkv_bias=rng.random() < 0.7,
                  qk_scale=rng.choice([None, None, 0.3]), crop_scale=rng.random() < 0.3,
                  interpolation=rng.choice(["bicubic", "bilinear"]), global_pool=rng.choice(["token", "avg"]),
                  norm_eps=rng.choice([1e-6, 1e-5]))
    shape = (rng.choice([1, 2, 3]), rng.choice([max(img), max(img) + 5, min(img)]), rng.choice([max(img), max(img) - 3]))
    return config, shape


def check(cli, config, shape, seed, threads, folder):
    """The case's relative error, or the failing step's message."""
    paths = {name: os.path.join(folder, name) for name in ("config.json", "w.safetensors", "x.npy", "y.npy")}
    with open(paths["config.json"], "w") as f:
        json.dump(config, f)
    steps = [["init", "--config", paths["config.json"], "--seed", str(seed), "--output", paths["w.safetensors"]],
             ["run", "--weights", paths["w.safetensors"], "--input", paths["x.npy"], "--output", paths["y.npy"],
              "--threads", str(threads)]]
    batch, h, w = shape
    x = random_input(seed, batch, config["in_channels"], h, w)
    np.save(paths["x.npy"], x)
    for step in steps:
        done = subprocess.run(["dotnet", cli, *step], capture_output=True, text=True)
        if done.returncode:
            return f"crossvit {step[0]} failed: {done.stderr.strip()}"
    expected = reference(paths["w.safetensors"], x)
    got = np.load(paths["y.npy"])
    if got.shape != expected.shape:
        return f"shape {got.shape}, expected {expected.shape}"
    return float(np.abs(got - expected).max()) / max(1.0, float(np.abs(expected).max()))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("cli")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--cases", type=int, default=30)
    args = parser.parse_args()
    rng, worst, failures = random.Random(args.seed), 0.0, 0
    with tempfile.TemporaryDirectory() as folder:
        for case in range(args.cases):
            config, shape = random_case(rng)
            result = check(args.cli, config, shape, case, rng.choice([1, 2, 3]), folder)
            ok = isinstance(result, float) and result <= 1e-4
            worst = max(worst, result) if isinstance(result, float) else worst
            failures += not ok
            print(case, "ok" if ok else "FAIL", result if isinstance(result, str) else f"{result:.2e}",
                  "" if ok else f"input {shape} config {json.dumps(config)}", flush=True)
    print(f"{args.cases - failures} of {args.cases} cases within 1e-4; worst relative error {worst:.2e}")
    raise SystemExit(1 if failures else 0)


if __name__ == "__main__":
    main()

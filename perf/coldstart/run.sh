#!/usr/bin/env bash
# Cold start: process start to printed top-5 for one 600×400 PNG with F32 crossvit_9_dagger_240 weights (in the page
# cache), NativeAOT against the JIT CLI, side by side; then where the native run's time goes (process start and exit,
# weight load, decoding and preprocessing, the forward pass) from `classify --timings`.
# Usage: perf/coldstart/run.sh [runs]   (needs hyperfine: apt-get install -y hyperfine)
set -euo pipefail
cd "$(dirname "$0")/../.."
runs=${1:-20}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
command -v hyperfine >/dev/null || { echo "perf/coldstart/run.sh needs hyperfine: apt-get install -y hyperfine"; exit 1; }

./publish-aot.sh "$work/aot" >"$work/publish.log" || { cat "$work/publish.log"; exit 1; }
dotnet build src/CrossVit.Cli -c Release >"$work/build.log" || { cat "$work/build.log"; exit 1; }
native=$work/aot/crossvit   # the launcher: the x86-64-v4 build where the CPU has AVX-512, else v3
jit="dotnet src/CrossVit.Cli/bin/Release/net10.0/crossvit.dll"

# A 600×400 RGB gradient, written with Python's standard library (no image tool needed).
python3 - "$work/image.png" <<'EOF'
import struct, sys, zlib
w, h = 600, 400
raw = b"".join(b"\0" + bytes(v for x in range(w) for v in (x * 255 // w, y * 255 // h, (x ^ y) & 255)) for y in range(h))
chunk = lambda t, d: struct.pack(">I", len(d)) + t + d + struct.pack(">I", zlib.crc32(t + d))
open(sys.argv[1], "wb").write(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0))
                              + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))
EOF
"$native" init --model crossvit_9_dagger_240 --seed 0 --output "$work/weights.safetensors" >/dev/null
arguments="classify $work/image.png --weights $work/weights.safetensors"

echo "cpu: $(lscpu | sed -n 's/^Model name: *//p'), $(nproc) cpus, load average $(cut -d' ' -f1-3 /proc/loadavg)"
echo "native: $("$native" --version | tr '\n' ' ')"
# Warm-up runs put the binaries, weights and image in the page cache; -N: no shell start-up in the figures.
hyperfine -N --warmup 3 --runs "$runs" --style basic --export-json "$work/result.json" \
  -n native "$native $arguments" -n jit "$jit $arguments"
median_ms() { python3 -c "import json,sys; r=[x for x in json.load(open(sys.argv[1]))['results'] if x['command']==sys.argv[2]][0]; print(f\"{r['median']*1000:.1f}\")" "$work/result.json" "$1"; }
total=$(median_ms native)
echo "median cold start: native $total ms, JIT $(median_ms jit) ms over $runs runs"

# The split, from runs with --timings: each run's in-process phases, and the rest of its wall time (process start,
# runtime start-up and exit); medians over the runs.
for _ in $(seq "$runs"); do
  start=$(date +%s%N)
  phases=$("$native" $arguments --timings 2>&1 >/dev/null | sed -n 's/^timings: //p')
  echo "$(( ($(date +%s%N) - start) / 1000 )) $phases"
done >"$work/timings"
python3 - "$work/timings" <<'EOF'
import re, statistics, sys
split = {}
for line in open(sys.argv[1]):
    wall_us, phases = line.split(" ", 1)
    found = {name.strip(): float(ms) for name, ms in re.findall(r"([a-z ]+?) ([0-9.]+) ms", phases)}
    found["process start and exit"] = int(wall_us) / 1000 - sum(found.values())
    for name, ms in found.items():
        split.setdefault(name, []).append(ms)
print("native split (medians): " + ", ".join(f"{n} {statistics.median(v):.1f} ms" for n, v in split.items()))
EOF

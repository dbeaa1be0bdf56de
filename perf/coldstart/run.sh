#!/usr/bin/env bash
# Cold start of the NativeAOT CLI: process start to printed answer for one image with F32 crossvit_9_dagger_240
# weights, median of repeated runs (the bar is 150 ms). Usage: perf/coldstart/run.sh [path/to/crossvit] [runs]
# Without a binary argument the CLI is published first (NativeAOT, x86-64-v3: AVX2 kernels); for the AVX-512 build,
# pass crossvit-x86-64-v4 from ./publish-aot.sh.
set -euo pipefail
cd "$(dirname "$0")/../.."
runs=${2:-20}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

binary=${1:-}
if [ -z "$binary" ]; then
  dotnet publish src/CrossVit.Cli -c Release -r linux-x64 -p:PublishAot=true \
    --artifacts-path "$work/artifacts" -o "$work/bin" >"$work/publish.log" || { cat "$work/publish.log"; exit 1; }
  binary=$work/bin/crossvit
fi

"$binary" init --model crossvit_9_dagger_240 --seed 0 --output "$work/weights.safetensors" >/dev/null
image=tests/CrossVit.Tests/data/golden/images/chelsea.png
command="$binary classify $image --weights $work/weights.safetensors"
echo "command: $command"
echo "cpus: $(nproc), load average: $(cut -d' ' -f1-3 /proc/loadavg)"

if command -v hyperfine >/dev/null; then
  # Warm-up runs put the binary, weights and image in the page cache: this measures process start, not disk reads.
  # -N: no intermediate shell, so its start-up is not counted.
  hyperfine -N --warmup 3 --runs "$runs" --style basic --export-json "$work/result.json" "$command"
  median_s=$(grep -o '"median": *[0-9.e-]*' "$work/result.json" | head -1 | sed 's/.*: *//')
  median_ms=$(awk -v s="$median_s" 'BEGIN { printf "%.1f", s * 1000 }')
else
  for _ in 1 2 3; do $command >/dev/null; done
  times=()
  for _ in $(seq "$runs"); do
    start=$(date +%s%N); $command >/dev/null; end=$(date +%s%N)
    times+=($(( (end - start) / 1000 )))
  done
  median_us=$(printf '%s\n' "${times[@]}" | sort -n | awk '{ a[NR] = $1 } END { print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2 }')
  median_ms=$(awk -v u="$median_us" 'BEGIN { printf "%.1f", u / 1000 }')
fi
echo "median cold start: $median_ms ms over $runs runs (bar: 150 ms)"

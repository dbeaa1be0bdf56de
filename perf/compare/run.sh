#!/usr/bin/env bash
# Side-by-side CPU timing of CrossVit.NET, PyTorch and ONNX Runtime on the same weights and inputs.
# usage: perf/compare/run.sh [--models a,b] [--batch 1,8] [--threads 1,2] [--rounds 3] [--warmup 1] [--iterations 2] [--bdn] [--append]
# Writes perf/compare/results.md and results.json; scratch files (weights, ONNX, inputs) go to perf/compare/work.
# --bdn: then BenchmarkDotNet's in-process comparison of ours and ONNX Runtime (OnnxRuntimeComparison), same models.
# --append: add the rows to results.json's instead of replacing the file (rows measured again replace their old ones);
#   refused when results.json is another machine's.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
models=crossvit_9_dagger_240,crossvit_small_240
batch=1,8
threads=1,2
timing=()
bdn=0
while [[ $# -gt 0 ]]; do
  case "$1" in
    --models) models="$2"; shift 2 ;;
    --batch) batch="$2"; shift 2 ;;
    --threads) threads="$2"; shift 2 ;;
    --rounds|--warmup|--iterations) timing+=("$1" "$2"); shift 2 ;;
    --bdn) bdn=1; shift ;;
    --append) timing+=("$1"); shift ;;
    -h|--help) sed -n '2,7p' "$0"; exit 0 ;;
    *) echo "unknown argument: $1" >&2; exit 2 ;;
  esac
done

# Debian's torch and numpy install for /usr/bin/python3 (python3 on PATH may be another interpreter).
# python3-torch only depends on some libblas.so.3; without OpenBLAS it gets the reference BLAS, ~20x slower.
# The OpenMP build of OpenBLAS shares torch's OpenMP threads, so torch.set_num_threads governs both.
python=/usr/bin/python3
packages=(python3-torch python3-numpy libopenblas0-openmp)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [[ ${#missing[@]} -gt 0 ]]; then
  echo "installing ${missing[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
fi

# ONNX Runtime runs through its .NET API (Microsoft.ML.OnnxRuntime, a perf/-only dependency) in CrossVit.Benchmarks.
# One build at a time: both projects share the runtime's output folder.
dotnet build "$root/src/CrossVit.Cli" -c Release --nologo -v quiet
dotnet build "$root/perf/CrossVit.Benchmarks" -c Release --nologo -v quiet
crossvit="dotnet $root/src/CrossVit.Cli/bin/Release/net10.0/crossvit.dll"
ort="dotnet $root/perf/CrossVit.Benchmarks/bin/Release/net10.0/CrossVit.Benchmarks.dll ort"

work="$here/work"
mkdir -p "$work"
# torch.set_num_threads(T) is PyTorch's whole budget: the OpenMP OpenBLAS follows it and ignores this variable,
# which keeps a pthreads OpenBLAS, if that is the one selected, from adding its own pool on top.
export OPENBLAS_NUM_THREADS=1
for model in ${models//,/ }; do
  $crossvit init --model "$model" --seed 0 --output "$work/$model.safetensors"
  (cd "$here" && "$python" -W ignore export_onnx.py "$work/$model.safetensors" "$work/$model.onnx")
done

cd "$here"
"$python" compare.py --crossvit "$crossvit" --ort "$ort" --workdir "$work" --models "$models" --batch "$batch" \
  --threads "$threads" ${timing[@]+"${timing[@]}"}

if [[ $bdn == 1 ]]; then
  CROSSVIT_COMPARE_WORK="$work" CROSSVIT_COMPARE_MODELS="$models" CROSSVIT_COMPARE_BATCH="$batch" CROSSVIT_COMPARE_THREADS="$threads" \
    dotnet "$root/perf/CrossVit.Benchmarks/bin/Release/net10.0/CrossVit.Benchmarks.dll" --filter '*OnnxRuntimeComparison*'
fi

#!/usr/bin/env bash
# Publishes the CLI as NativeAOT executables for linux-x64 into OUT (default: artifacts/aot):
#   crossvit-x86-64-v3  AVX2 kernels; runs on x64 CPUs since 2013/2015 (Haswell, Excavator, Zen)
#   crossvit-x86-64-v4  AVX-512 kernels; needs AVX-512 F/BW/CD/DQ/VL (Skylake-SP and later Xeons, Zen 4 and later)
#   crossvit            a POSIX sh launcher that runs the v4 build where /proc/cpuinfo shows those flags, else v3
# `crossvit --version` prints the ISA the kernels use. Trim/AOT warnings fail the publish (TreatWarningsAsErrors).
# Usage: ./publish-aot.sh [OUT]
set -euo pipefail
root=$(cd "$(dirname "$0")" && pwd)
out=${1:-$root/artifacts/aot}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$out"
for level in v3 v4; do
  dotnet publish "$root/src/CrossVit.Cli" -c Release -r linux-x64 -p:PublishAot=true \
    -p:IlcInstructionSet=x86-64-$level -o "$work/$level"
  cp "$work/$level/crossvit" "$out/crossvit-x86-64-$level"
done
cp "$root/src/CrossVit.Cli/crossvit-launcher.sh" "$out/crossvit"
chmod +x "$out/crossvit"
echo "published $out/crossvit (launcher), $out/crossvit-x86-64-v3, $out/crossvit-x86-64-v4"

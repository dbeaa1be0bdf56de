#!/bin/sh
# crossvit: runs the NativeAOT build of the CLI that this CPU supports, from the folder this script is in (publish-aot.sh
# puts them there). NativeAOT fixes the instruction set at compile time: crossvit-x86-64-v4 has the AVX-512 kernels
# but refuses to start without x86-64-v4's AVX-512 subsets (F, BW, CD, DQ, VL); crossvit-x86-64-v3 runs AVX2.
dir=$(dirname "$(readlink -f "$0")")
flags=" $(grep -m1 '^flags' /proc/cpuinfo 2>/dev/null) "
level=v4
for f in avx512f avx512bw avx512cd avx512dq avx512vl; do
  case $flags in *" $f "*) ;; *) level=v3 ;; esac
done
exec "$dir/crossvit-x86-64-$level" "$@"

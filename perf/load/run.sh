#!/usr/bin/env bash
# Load test of samples/CrossVit.Server with wrk, on 127.0.0.1 only, bounded in time (about 4 minutes in all):
#   1. default settings: a 10 s warm-up, then DURATION s at 64 and at 8 connections, resident memory after each. The
#      64-connection run comes first so that both memory samples follow the largest working set (64 request bodies
#      held at once): growth between them then means a leak, not a higher load;
#   2. a deliberately small queue (QueueLimit=4): SMALL_QUEUE_DURATION s at 64 connections, which must show 503s.
# Every request POSTs one real image to /v1/classify. Prints a markdown table.
# Usage: perf/load/run.sh   (env: PORT, DURATION=60, SMALL_QUEUE_DURATION=20, IMAGE)
set -euo pipefail
cd "$(dirname "$0")/../.."
port=${PORT:-5931}
duration=${DURATION:-60}
small_queue_duration=${SMALL_QUEUE_DURATION:-20}
export BODY_FILE=${IMAGE:-tests/CrossVit.Tests/data/golden/images/chelsea.png}
url=http://127.0.0.1:$port
work=$(mktemp -d)
server_pid=

stop_server() {
  if [ -n "$server_pid" ] && kill -0 "$server_pid" 2>/dev/null; then
    kill -TERM "$server_pid"   # graceful: the server drains requests in flight
    wait "$server_pid" || true
  fi
  server_pid=
}
trap 'stop_server; rm -rf "$work"' EXIT

command -v wrk >/dev/null || { echo "wrk is not installed (Debian: apt-get install -y wrk)" >&2; exit 1; }
dotnet build samples/CrossVit.Server -c Release >"$work/build.log" 2>&1 || { cat "$work/build.log"; exit 1; }

# start_server LOG [VAR=value...]: runs the Release build with the given environment and waits until /readyz says the
# model is loaded (/healthz answers as soon as the server listens).
start_server() {
  local log=$1; shift
  env "$@" dotnet samples/CrossVit.Server/bin/Release/net10.0/CrossVit.Server.dll --urls "$url" >"$log" 2>&1 &
  server_pid=$!
  for _ in $(seq 120); do
    curl -sf "$url/readyz" >/dev/null 2>&1 && return 0
    kill -0 "$server_pid" 2>/dev/null || { cat "$log"; echo "the server exited during start-up" >&2; exit 1; }
    sleep 1
  done
  cat "$log"; echo "the server was not ready (/readyz) within 120 s" >&2; exit 1
}

rss_mib() { awk '/^VmRSS:/ { printf "%.1f", $2 / 1024 }' "/proc/$server_pid/status"; }

# load CONNECTIONS SECONDS: one wrk run; prints its RESULT line. One wrk thread: the machine has few cores to spare.
# wrk's timeout exceeds the server's request timeout (120 s), so that every answer is the server's own.
load() {
  wrk -t1 -c"$1" -d"$2"s --timeout 180s -s perf/load/post.lua "$url/v1/classify" | grep '^RESULT'
}

rows=()
# row LABEL CONNECTIONS QUEUE RESULT-LINE: a markdown table row from a RESULT line.
row() {
  local label=$1 connections=$2 queue=$3 line=$4
  local -A r
  for kv in ${line#RESULT }; do r[${kv%%=*}]=${kv#*=}; done
  rows+=("$(awk -v label="$label" -v c="$connections" -v q="$queue" -v n="${r[requests]}" -v us="${r[duration_us]}" \
    -v p50="${r[p50_us]}" -v p99="${r[p99_us]}" -v ok="${r[ok]}" -v busy="${r[s503]}" -v other="${r[other]}" \
    -v sock="${r[socket_errors]}" -v to="${r[timeouts]}" 'BEGIN {
      printf "| %s | %d | %s | %.0f s | %d | %.1f | %.0f | %.0f | %d | %d | %d | %d / %d |", label, c, q, us / 1e6, n,
        n / (us / 1e6), p50 / 1000, p99 / 1000, ok, busy, other, sock, to }')")
}

echo "cpus: $(nproc), load average before: $(cut -d' ' -f1-3 /proc/loadavg), image: $BODY_FILE ($(stat -c %s "$BODY_FILE") bytes)"
start_server "$work/default.log"
load 64 10 >/dev/null   # warm-up: JIT, session pool, GC heap
row "default" 64 512 "$(load 64 "$duration")"
rss_first=$(rss_mib)
row "default" 8 512 "$(load 8 "$duration")"
rss_end=$(rss_mib)
stop_server

start_server "$work/small-queue.log" CROSSVIT__QUEUELIMIT=4
row "small queue" 64 4 "$(load 64 "$small_queue_duration")"
stop_server

echo
echo "| settings | connections | queue limit | duration | requests | req/s | p50 ms | p99 ms | 2xx | 503 | other non-2xx | socket errors / timeouts |"
echo "|---|---|---|---|---|---|---|---|---|---|---|---|"
printf '%s\n' "${rows[@]}"
echo
awk -v a="$rss_first" -v b="$rss_end" 'BEGIN {
  printf "Resident memory (VmRSS) of the default server: %.1f MiB after the warm-up and the 64-connection run (minute 1 of load), %.1f MiB at the end; growth %+.1f%% (bar: 5%%).\n", a, b, (b - a) / a * 100 }'
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"

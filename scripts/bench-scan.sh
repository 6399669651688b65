#!/usr/bin/env bash
# bench-scan.sh — `hero_exporter scan` throughput against grep on the same generated log.
#
# Usage: scripts/bench-scan.sh BINARY [SIZE_BYTES]
#   BINARY      a hero_exporter binary with the `scan` command
#   SIZE_BYTES  size of the generated log (default 1 GiB)
# Environment: RUNS (default 3, best run counts), KEEP_LOG=path (reuse/keep the log there).
#
# The log comes from internal/logscan/cmd/genlog (about 1% of the lines in multi-line
# Java/Python/Go/Node exceptions). Both commands run pinned to one core (taskset -c 0,
# GOMAXPROCS=1) with a warm page cache; /usr/bin/time -v gives wall time and peak RSS.
# Goal: ratio (grep time / scan time) >= 1.0 and scan peak RSS < 64 MiB.
set -euo pipefail

bin=${1:?usage: $0 BINARY [SIZE_BYTES]}
size=${2:-1073741824}
runs=${RUNS:-3}
cd "$(dirname "$0")/.."

case "$bin" in */*) ;; *) bin=./$bin ;; esac
if [ ! -x "$bin" ]; then echo "bench-scan: $bin is not an executable" >&2; exit 2; fi
if [ ! -x /usr/bin/time ]; then echo "bench-scan: /usr/bin/time (GNU time) is needed" >&2; exit 2; fi

work=$(mktemp -d "${TMPDIR:-/tmp}/bench-scan.XXXXXX")
trap 'rm -rf "$work"' EXIT
log=${KEEP_LOG:-$work/app.log}

go build -o "$work/genlog" ./internal/logscan/cmd/genlog
if [ ! -s "$log" ] || [ "$(stat -c %s "$log")" -lt "$size" ]; then
  "$work/genlog" -size "$size" -seed 1 >"$log" 2>"$work/genlog.txt"
fi
bytes=$(stat -c %s "$log")
cat "$log" >/dev/null # warm the page cache

pin=()
if command -v taskset >/dev/null 2>&1; then pin=(taskset -c 0); fi

# measure OUT CMD... : runs CMD RUNS times, prints "best_seconds max_rss_kib" of the best run.
measure() {
  local out=$1; shift
  local best="" rss=""
  for _ in $(seq "$runs"); do
    GOMAXPROCS=1 /usr/bin/time -v -o "$work/time.txt" "${pin[@]}" "$@" >"$out"
    local s r
    s=$(awk -F': ' '/Elapsed \(wall clock\)/ {n=split($2,a,":"); t=0; for(i=1;i<=n;i++) t=t*60+a[i]; print t}' "$work/time.txt")
    r=$(awk -F': ' '/Maximum resident set size/ {print $2}' "$work/time.txt")
    if [ -z "$best" ] || awk -v a="$s" -v b="$best" 'BEGIN{exit !(a<b)}'; then best=$s; rss=$r; fi
  done
  echo "$best $rss"
}

# A binary without a working scan command fails here, loudly.
if ! "$bin" scan --format=json /dev/null >/dev/null 2>"$work/err.txt"; then
  echo "bench-scan: '$bin scan' does not work: $(cat "$work/err.txt")" >&2
  exit 1
fi

read -r g_s g_rss < <(measure "$work/grep.txt" grep -c -E 'Exception|Traceback' "$log")
read -r s_s s_rss < <(measure "$work/scan.json" "$bin" scan --format=json --top=10 "$log")

awk -v bytes="$bytes" -v gs="$g_s" -v grss="$g_rss" -v ss="$s_s" -v srss="$s_rss" \
    -v gcount="$(cat "$work/grep.txt")" -v scanout="$(head -c 200 "$work/scan.json")" -v runs="$runs" 'BEGIN {
  mb = bytes / 1e6
  printf "log: %.0f MB (%d bytes), best of %d runs, one core, warm page cache\n", mb, bytes, runs
  printf "grep -c -E '\''Exception|Traceback'\'': %.2f s  %.0f MB/s  peak RSS %.1f MiB  (%s matching lines)\n", gs, mb/gs, grss/1024, gcount
  printf "hero_exporter scan:                    %.2f s  %.0f MB/s  peak RSS %.1f MiB\n", ss, mb/ss, srss/1024
  printf "scan output: %s...\n", scanout
  ratio = gs / ss
  printf "ratio (grep time / scan time): %.2fx  goal >= 1.0x: %s\n", ratio, (ratio >= 1.0 ? "met" : "MISSED")
  printf "scan peak RSS < 64 MiB: %s\n", (srss < 65536 ? "met" : "MISSED")
}'

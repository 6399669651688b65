#!/bin/sh
# Measures hero_exporter's memory and CPU as docs/deployment.md reports them ("Resources"):
# peak and steady RSS, CPU to the first ready snapshot, and steady CPU while it is
# scraped every 15s. Linux only (reads /proc).
#
#   scripts/measure-resources.sh demo            # the built-in demo (--demo)
#   scripts/measure-resources.sh 100000          # a file source with 100k synthetic incidents
#
# STEADY (seconds of steady state to measure, default 120) and PEOPLE (default 1000).
set -eu
what=${1:-demo}
steady=${STEADY:-120}
people=${PEOPLE:-1000}
work=$(mktemp -d)
trap 'kill "$pid" 2>/dev/null || true; rm -rf "$work"' EXIT
CGO_ENABLED=0 go build -o "$work/hero_exporter" ./cmd/hero_exporter
port=$(( 20000 + $$ % 10000 ))
now=2026-11-18T12:00:00Z
if [ "$what" = demo ]; then
  set -- --demo
else
  go run ./scripts/genhistory -incidents "$what" -people "$people" -now "$now" > "$work/history.ndjson"
  printf 'sources:\n  - name: history\n    type: file\n    path: %s\n    refresh_interval: 1m\n' \
    "$work/history.ndjson" > "$work/hero.yml"
  set -- --config.file="$work/hero.yml" --debug.now="$now"
fi
start=$(date +%s.%N)
"$work/hero_exporter" "$@" --storage.path="$work/store" --web.listen-address=127.0.0.1:$port \
  --log.level=warn > "$work/log" 2>&1 &
pid=$!
until curl -fs "http://127.0.0.1:$port/-/ready" > /dev/null; do
  kill -0 "$pid" || { cat "$work/log"; exit 1; }
  sleep 0.5
done
ready=$(date +%s.%N)
cpu() { curl -fs "http://127.0.0.1:$port/metrics" | awk '/^process_cpu_seconds_total /{print $2}'; }
rss() { awk '/^VmRSS/{print $2}' /proc/$pid/status; }
cpu0=$(cpu)
i=0
max=0
while [ $i -lt "$steady" ]; do
  [ $((i % 15)) -eq 0 ] && curl -fs "http://127.0.0.1:$port/metrics" > /dev/null
  r=$(rss); [ "$r" -gt "$max" ] && max=$r
  sleep 1; i=$((i + 1))
done
cpu1=$(cpu)
hwm=$(awk '/^VmHWM/{print $2}' /proc/$pid/status)
series=$(curl -fs "http://127.0.0.1:$port/metrics" | grep -c '^hero_')
echo "input: $what; hero_ series: $series"
awk -v s="$start" -v r="$ready" -v c0="$cpu0" -v c1="$cpu1" -v st="$steady" -v hwm="$hwm" -v rss="$(rss)" -v max="$max" 'BEGIN {
  printf "ready after %.1f s wall, %.2f CPU-s\n", r - s, c0
  printf "peak RSS (VmHWM) %.0f MiB; steady RSS %.0f MiB (max %.0f MiB over %d s)\n", hwm/1024, rss/1024, max/1024, st
  printf "steady CPU %.4f cores (%.2f CPU-s over %d s, scraped every 15 s)\n", (c1 - c0)/st, c1 - c0, st
}'

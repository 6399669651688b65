#!/bin/sh
# usage: garbage_rss.sh BINARY FILE — peak RSS (VmHWM) of hero_exporter syncing a file source
bin=$1; file=$2; d=$(mktemp -d); port=$((20000 + $$ % 10000))
printf 'sources:\n  - name: junk\n    type: file\n    path: %s\n    refresh_interval: 1h\n' "$file" > $d/hero.yml
$bin --config.file=$d/hero.yml --storage.path=$d/store --web.listen-address=127.0.0.1:$port >$d/log 2>&1 &
pid=$!; start=$(date +%s)
until curl -s 127.0.0.1:$port/metrics | grep -q '^hero_source_up{source="junk"'; do sleep 1; done
echo "$(curl -s 127.0.0.1:$port/metrics | grep '^hero_source_up{source="junk"') after $(( $(date +%s) - start )) s; $(grep VmHWM /proc/$pid/status)"
kill $pid; wait $pid 2>/dev/null; rm -rf $d

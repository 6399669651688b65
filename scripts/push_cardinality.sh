#!/bin/sh
# usage: push_cardinality.sh BINARY [TEAMS] — posts one Alertmanager notification with
# TEAMS (default 50000) distinct team labels to a fresh exporter and prints the number of
# series, the size of /metrics and the peak RSS.
set -e
bin=$1; n=${2:-50000}; d=$(mktemp -d); port=$((20000 + $$ % 10000))
printf 'sources:\n  - name: am\n    type: alertmanager\n    path: /hooks/am\n    allow_unauthenticated: true\n' > $d/hero.yml
# Binaries before the label bound know no allow_unauthenticated (and need no token).
$bin check-config --config.file=$d/hero.yml >/dev/null 2>&1 || printf 'sources:\n  - name: am\n    type: alertmanager\n    path: /hooks/am\n' > $d/hero.yml
$bin --config.file=$d/hero.yml --storage.path=$d/store --web.listen-address=127.0.0.1:$port >$d/log 2>&1 &
pid=$!
until curl -sf 127.0.0.1:$port/-/ready >/dev/null; do sleep 0.2; done
python3 - "$n" > $d/body.json <<'PY'
import json, sys
n = int(sys.argv[1])
alerts = [{"status": "firing", "startsAt": "2026-11-20T11:00:00Z",
           "labels": {"alertname": "X", "team": "team-%05d" % i, "service": "svc-%05d" % i, "severity": "critical"}} for i in range(n)]
print(json.dumps({"version": "4", "status": "firing", "alerts": alerts}))
PY
curl -s -o /dev/null -w 'POST: HTTP %{http_code}\n' -H 'Content-Type: application/json' --data-binary @$d/body.json 127.0.0.1:$port/hooks/am
sleep 3
curl -s 127.0.0.1:$port/metrics > $d/metrics
echo "series: $(grep -vc '^#' $d/metrics); team values: $(grep -o 'team="[^"]*"' $d/metrics | sort -u | wc -l); /metrics: $(wc -c < $d/metrics) bytes; $(grep VmHWM /proc/$pid/status)"
kill $pid; wait $pid 2>/dev/null || true; rm -rf $d

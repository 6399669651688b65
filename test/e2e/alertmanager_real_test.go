//go:build unix

package e2e

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
)

// TestRealAlertmanagerLargeGroup: the real Alertmanager (Debian's
// prometheus-alertmanager) receives a large group of alerts on its API v2 and delivers
// it to the exporter's webhook (max_alerts: 0). Every notification of a group carries
// every alert of the group so far, so the one that brings the last alert carries all
// of them — a body of about 3 MiB, over the receiver's old 1 MiB limit. The exporter
// must store every alert and refuse nothing.
func TestRealAlertmanagerLargeGroup(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and starts hero_exporter and Alertmanager; skipped in -short mode")
	}
	amBin := needTool(t, "prometheus-alertmanager")
	const n = 6000
	dir := t.TempDir()

	// The exporter, with the receiver behind a token.
	tokenFile := filepath.Join(dir, "hook.token")
	if err := os.WriteFile(tokenFile, []byte("am-e2e-token\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg := fmt.Sprintf("sources:\n  - name: am\n    type: alertmanager\n    path: /hooks/am\n    token_file: %q\n", tokenFile)
	cfgPath := filepath.Join(dir, "hero.yml")
	if err := os.WriteFile(cfgPath, []byte(cfg), 0o644); err != nil {
		t.Fatal(err)
	}
	heroAddr := freeAddr(t)
	start(t, dir, "hero_exporter", exporterBinary(t), "--config.file="+cfgPath, "--web.listen-address="+heroAddr,
		"--storage.path="+filepath.Join(dir, "store"))
	waitReady(t, "http://"+heroAddr+"/-/ready", 30*time.Second)

	// Alertmanager: one group by alertname, sent at once to the exporter.
	amYML := fmt.Sprintf(`route:
  receiver: hero
  group_by: [alertname]
  group_wait: 2s
  group_interval: 2s
  repeat_interval: 1h
receivers:
  - name: hero
    webhook_configs:
      - url: http://%s/hooks/am
        send_resolved: true
        max_alerts: 0
        http_config:
          authorization:
            type: Bearer
            credentials_file: %s
`, heroAddr, tokenFile)
	amCfg := filepath.Join(dir, "alertmanager.yml")
	if err := os.WriteFile(amCfg, []byte(amYML), 0o644); err != nil {
		t.Fatal(err)
	}
	amAddr := freeAddr(t)
	start(t, dir, "alertmanager", amBin, "--config.file="+amCfg, "--storage.path="+filepath.Join(dir, "am-data"),
		"--web.listen-address="+amAddr, "--cluster.listen-address=")
	waitReady(t, "http://"+amAddr+"/-/ready", 30*time.Second)

	startsAt := time.Now().Add(-time.Hour).UTC().Truncate(time.Second)
	alerts := make([]map[string]any, n)
	for i := range alerts {
		alerts[i] = map[string]any{
			"labels": map[string]string{"alertname": "TargetDown", "team": "storage", "service": "ceph", "severity": "critical",
				"instance": fmt.Sprintf("osd-%05d.storage.example.com:9283", i), "job": "ceph-osd", "cluster": "eu-west-1"},
			"annotations":  map[string]string{"summary": "OSD target is down", "runbook_url": "https://runbooks.example.com/storage/target-down"},
			"startsAt":     startsAt.Format(time.RFC3339),
			"generatorURL": "http://prometheus.example.com/graph?g0.expr=up%7Bjob%3D%22ceph-osd%22%7D+%3D%3D+0&g0.tab=1",
		}
	}
	body, err := json.Marshal(alerts)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.Post("http://"+amAddr+"/api/v2/alerts", "application/json", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("POST /api/v2/alerts: HTTP %d", resp.StatusCode)
	}

	created := regexp.MustCompile(`(?m)^hero_incidents_created_total\{severity="critical",source="am",team="storage"\} (\d+)$`)
	accepted := regexp.MustCompile(`(?m)^hero_webhook_requests_total\{code="200",source="am"\} (\d+)$`)
	var metrics string
	posted := time.Now()
	waitFor(t, 90*time.Second, fmt.Sprintf("%d alerts stored", n), func() error {
		metrics = fetch(t, "http://"+heroAddr+"/metrics")
		m := created.FindStringSubmatch(metrics)
		if m == nil {
			return fmt.Errorf("no hero_incidents_created_total for am yet")
		}
		if got, _ := strconv.Atoi(m[1]); got != n {
			return fmt.Errorf("%d alerts stored, want %d", got, n)
		}
		return nil
	})
	t.Logf("%d alerts stored %v after the POST to Alertmanager", n, time.Since(posted).Round(time.Millisecond))
	if !accepted.MatchString(metrics) {
		t.Errorf("no accepted webhook request counted:\n%s", grepLines(metrics, "hero_webhook_requests_total"))
	}
	if strings.Contains(metrics, `hero_webhook_requests_total{code="413"`) || strings.Contains(metrics, `hero_webhook_requests_total{code="401"`) {
		t.Errorf("refused requests:\n%s", grepLines(metrics, "hero_webhook_requests_total"))
	}
	// Every alert is open, in the 7d window, under its team and service.
	want := fmt.Sprintf(`hero_incidents_open{service="ceph",severity="critical",source="am",team="storage"} %d`, n)
	if !strings.Contains(metrics, want) {
		t.Errorf("missing %q:\n%s", want, grepLines(metrics, "hero_incidents_open{"))
	}
}

// grepLines returns the lines of s that contain sub.
func grepLines(s, sub string) string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if strings.Contains(l, sub) {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}

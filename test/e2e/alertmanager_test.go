//go:build unix

package e2e

import (
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

const amBody = `{"version":"4","groupKey":"{}:{alertname=\"DiskFull\"}","status":"%s","receiver":"hero",
"groupLabels":{"alertname":"DiskFull"},"commonLabels":{"alertname":"DiskFull","team":"storage","service":"db","severity":"critical"},
"commonAnnotations":{},"externalURL":"http://alertmanager:9093","truncatedAlerts":0,
"alerts":[{"status":"%s","labels":{"alertname":"DiskFull","team":"storage","service":"db","severity":"critical","instance":"db-1"},
"annotations":{"summary":"Disk full on db-1"},"startsAt":"2026-11-18T10:00:00Z","endsAt":"%s",
"generatorURL":"http://prometheus/graph","fingerprint":"5f2c0b8a1d3e4f60"}]}`

// TestAlertmanagerWebhookEndToEnd posts Alertmanager webhooks to the binary: a firing
// then resolved alert becomes one incident (redelivery counted once), a bad body and a
// bad token are refused.
func TestAlertmanagerWebhookEndToEnd(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and starts hero_exporter; skipped in -short mode")
	}
	dir := t.TempDir()
	cfg := "sources:\n  - name: am\n    type: alertmanager\n    path: /hooks/alertmanager\n    token_env: HERO_E2E_AM_TOKEN\n    refresh_interval: 1s\n"
	cfgPath := filepath.Join(dir, "hero.yml")
	if err := os.WriteFile(cfgPath, []byte(cfg), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Setenv("HERO_E2E_AM_TOKEN", "am-secret")
	run := func(sub string) string {
		d := filepath.Join(dir, sub)
		if err := os.Mkdir(d, 0o755); err != nil {
			t.Fatal(err)
		}
		addr := freeAddr(t)
		start(t, d, "hero_exporter", exporterBinary(t), "--config.file="+cfgPath, "--web.listen-address="+addr,
			"--storage.path="+filepath.Join(dir, "store"), "--debug.now="+fixedNow)
		waitReady(t, "http://"+addr+"/-/ready", 30*time.Second)
		return addr
	}
	post := func(addr, token, body string) int {
		req, _ := http.NewRequest(http.MethodPost, "http://"+addr+"/hooks/alertmanager", strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	firing := fmt.Sprintf(amBody, "firing", "firing", "0001-01-01T00:00:00Z")
	resolved := fmt.Sprintf(amBody, "resolved", "resolved", "2026-11-18T10:30:00Z")

	addr := run("first")
	if code := post(addr, "wrong", firing); code != http.StatusUnauthorized {
		t.Fatalf("wrong token: HTTP %d, want 401", code)
	}
	if code := post(addr, "am-secret", `{"version":"4","alerts":[`); code != http.StatusBadRequest {
		t.Fatalf("malformed body: HTTP %d, want 400", code)
	}
	for _, body := range []string{firing, firing, resolved, resolved} { // redelivery included
		if code := post(addr, "am-secret", body); code/100 != 2 {
			t.Fatalf("webhook: HTTP %d", code)
		}
	}
	want := []string{
		`hero_incidents_created_total{severity="critical",source="am",team="storage"} 1`,
		`hero_incident_mttr_seconds{team="storage",window="7d"} 1800`,
		`hero_incidents_open{service="db",severity="critical",source="am",team="storage"} 0`,
	}
	check := func(addr string) {
		waitFor(t, 20*time.Second, "the webhook incident on /metrics", func() error {
			lines := stableLines(fetch(t, "http://"+addr+"/metrics"))
			for _, w := range want {
				if !contains(lines, w) {
					return fmt.Errorf("missing %s", w)
				}
			}
			return nil
		})
	}
	check(addr)
	// The people figures an Alertmanager source cannot supply are absent, not zero.
	if body := fetch(t, "http://"+addr+"/metrics"); strings.Contains(body, "hero_responder_") || strings.Contains(body, "hero_team_load_") {
		t.Fatal("person figures emitted for a source that has no people")
	}
}

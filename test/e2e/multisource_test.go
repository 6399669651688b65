//go:build unix

package e2e

import (
	"fmt"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/hero-exporter/hero_exporter/internal/source/pagerduty/pdfake"
)

// TestTwoSourcesOnePerson runs a PagerDuty source and a file source side by side. Ana
// is in both (the file writes her email in capitals): her engagements add up under one
// person.
func TestTwoSourcesOnePerson(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and starts hero_exporter; skipped in -short mode")
	}
	now, _ := time.Parse(time.RFC3339, fixedNow)
	fake := pdfake.New("tok")
	pdfake.Scenario(fake, now)
	srv := httptest.NewServer(fake)
	defer srv.Close()

	dir := t.TempDir()
	hist := filepath.Join(dir, "h.ndjson")
	os.WriteFile(hist, []byte(strings.Join([]string{
		`{"type":"person","id":"f-ana","name":"Ana Lima","email":"ANA@example.com","time_zone":"Europe/Berlin"}`,
		`{"type":"incident","id":"F1","title":"Batch job stuck","team":"Payments","service":"batch","severity":"low","created_at":"2026-11-18T09:00:00Z","acknowledged_at":"2026-11-18T09:05:00Z","resolved_at":"2026-11-18T09:30:00Z"}`,
		`{"type":"engagement","id":"fe1","incident_id":"F1","person_id":"f-ana","kind":"acknowledge","at":"2026-11-18T09:05:00Z"}`,
	}, "\n")+"\n"), 0o644)
	cfg := fmt.Sprintf("sources:\n  - name: pd\n    type: pagerduty\n    base_url: %s\n    token_env: HERO_E2E_PD_TOKEN2\n    refresh_interval: 2s\n"+
		"  - name: ops-log\n    type: file\n    path: %q\n    refresh_interval: 1s\n", srv.URL, hist)
	cfgPath := filepath.Join(dir, "hero.yml")
	os.WriteFile(cfgPath, []byte(cfg), 0o644)
	t.Setenv("HERO_E2E_PD_TOKEN2", "tok")
	addr := freeAddr(t)
	start(t, dir, "hero_exporter", exporterBinary(t), "--config.file="+cfgPath, "--web.listen-address="+addr,
		"--storage.path="+filepath.Join(dir, "store"), "--debug.now="+fixedNow)
	waitReady(t, "http://"+addr+"/-/ready", 30*time.Second)

	// PagerDuty alone gives Ana 2 and Ben 3 engaged Payments incidents (see
	// TestPagerDutyEndToEnd); the file adds F1 for Ana: 3 and 3.
	want := []string{
		`hero_responder_incidents{person="Ana Lima",team="Payments",window="7d"} 3`,
		`hero_responder_load_ratio{person="Ana Lima",team="Payments",window="7d"} 0.5`,
		`hero_responder_load_ratio{person="Ben Okafor",team="Payments",window="7d"} 0.5`,
		`hero_team_responders{team="Payments",window="7d"} 2`,
		`hero_incidents{service="batch",severity="low",source="ops-log",team="Payments",window="7d"} 1`,
	}
	var lines []string
	waitFor(t, 30*time.Second, "both sources synced", func() error {
		body := fetch(t, "http://"+addr+"/metrics")
		lines = stableLines(body)
		for _, w := range want {
			if !contains(lines, w) {
				return fmt.Errorf("missing %s", w)
			}
		}
		return nil
	})
	for _, l := range lines {
		if strings.Contains(l, `person="Ana Lima (`) {
			t.Fatalf("Ana split into two people: %s", l)
		}
	}
}

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

// TestPagerDutyEndToEnd runs the binary against the fake PagerDuty API loaded with
// pdfake.Scenario (documented there) and checks the figures worked out by hand below.
// The clock is pinned to Wednesday 2026-11-18 12:00Z: Berlin is UTC+1, New York UTC−5.
func TestPagerDutyEndToEnd(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and starts hero_exporter; skipped in -short mode")
	}
	now, _ := time.Parse(time.RFC3339, fixedNow)
	const token = "u+e2e-secret-token-7f3a"
	fake := pdfake.New(token)
	pdfake.Scenario(fake, now)
	srv := httptest.NewServer(fake)
	defer srv.Close()

	dir := t.TempDir()
	cfg := fmt.Sprintf("sources:\n  - name: pd\n    type: pagerduty\n    base_url: %s\n    token_env: HERO_E2E_PD_TOKEN\n    refresh_interval: 2s\n", srv.URL)
	cfgPath := filepath.Join(dir, "hero.yml")
	if err := os.WriteFile(cfgPath, []byte(cfg), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Setenv("HERO_E2E_PD_TOKEN", token)
	addr := freeAddr(t)
	start(t, dir, "hero_exporter", exporterBinary(t), "--config.file="+cfgPath, "--web.listen-address="+addr,
		"--storage.path="+filepath.Join(dir, "store"), "--debug.now="+fixedNow, "--log.level=debug")
	waitReady(t, "http://"+addr+"/-/ready", 30*time.Second)
	var lines []string
	waitFor(t, 30*time.Second, "the first PagerDuty sync", func() error {
		body := fetch(t, "http://"+addr+"/metrics")
		if !strings.Contains(body, `hero_source_up{source="pd",type="pagerduty"} 1`) || !strings.Contains(body, "hero_responder_load_ratio") {
			return fmt.Errorf("not synced yet")
		}
		lines = stableLines(body)
		return nil
	})

	want := []string{
		// Payments engaged: PI1 Ana+Ben (acks), PI2 Ana (reassigned it by hand) + Ben,
		// PI4 nobody (resolved by the integration), PI5 Ben → Ana 2, Ben 3.
		`hero_responder_incidents{person="Ana Lima",team="Payments",window="7d"} 2`,
		`hero_responder_load_ratio{person="Ana Lima",team="Payments",window="7d"} 0.4`,
		`hero_responder_load_ratio{person="Ben Okafor",team="Payments",window="7d"} 0.6`,
		`hero_team_load_top_ratio{team="Payments",window="7d"} 0.6`,
		`hero_team_bus_factor{team="Payments",window="7d"} 1`,
		// Gini of {2, 3}: |2−3|·2 / (2·4·2.5) = 0.1.
		`hero_team_load_gini{team="Payments",window="7d"} 0.1`,
		// Platform: PI6 Ana (escalated, resolved) and Cai (accepted, note); PI3 nobody.
		`hero_responder_load_ratio{person="Ana Lima",team="Platform",window="7d"} 0.5`,
		`hero_responder_load_ratio{person="Cai Wu",team="Platform",window="7d"} 0.5`,
		// Pages: Ana PI1 push Sun 13:00 Berlin (off hours), PI2 push Mon 13:00 (business),
		// PI4 email only (not counted).
		`hero_responder_interruptions{period="business",person="Ana Lima",team="Payments",window="7d"} 1`,
		`hero_responder_interruptions{period="off_hours",person="Ana Lima",team="Payments",window="7d"} 1`,
		`hero_responder_interruptions{period="sleep",person="Ana Lima",team="Payments",window="7d"} 0`,
		// Ben: PI1 phone Sun 07:00 NY, PI2 sms Mon 07:04, PI5 push Wed 05:00 and the sms 30 s
		// later de-duplicated → 3 sleep pages.
		`hero_responder_interruptions{period="sleep",person="Ben Okafor",team="Payments",window="7d"} 3`,
		`hero_responder_interruptions{period="business",person="Ben Okafor",team="Payments",window="7d"} 0`,
		// Cai: null time zone → hours.default_timezone (UTC); PI3 phone Tue 06:00 → sleep.
		`hero_responder_interruptions{period="sleep",person="Cai Wu",team="Platform",window="7d"} 1`,
		// Engaged: Ana PI1 12:02–12:30Z = 1680 s (Sun, off hours); PI2 from her reassign
		// 12:04 to 13:00Z = 3360 s (Mon 13:04–14:00 Berlin, business).
		`hero_responder_engaged_seconds{period="off_hours",person="Ana Lima",team="Payments",window="7d"} 1680`,
		`hero_responder_engaged_seconds{period="business",person="Ana Lima",team="Payments",window="7d"} 3360`,
		// Ben: PI1 1620 s + PI2 12:06–13:00Z 3240 s + PI5 10:01:30Z–now 7110 s, all NY night.
		`hero_responder_engaged_seconds{period="sleep",person="Ben Okafor",team="Payments",window="7d"} 11970`,
		// MTTA Payments: PI1 120, PI2 360, PI5 90 → 190. MTTR: 1800, 3600, 7200 → 4200.
		`hero_incident_mtta_seconds{team="Payments",window="7d"} 190`,
		`hero_incident_mttr_seconds{team="Payments",window="7d"} 4200`,
		`hero_incident_resolve_p50_seconds{team="Payments",window="7d"} 3600`,
		`hero_incident_resolve_p90_seconds{team="Payments",window="7d"} 7200`,
		// Platform: nobody acknowledged (no MTTA series); MTTR PI3 1200, PI6 2700 → 1950.
		`hero_incident_mttr_seconds{team="Platform",window="7d"} 1950`,
		// Off-rotation: Ana and Ben are on call for PEP1 throughout; PI6 is PEP2, where
		// Ana never is and Cai's shift ended a week before.
		`hero_responder_offrotation_incidents{person="Ana Lima",team="Payments",window="7d"} 0`,
		`hero_responder_offrotation_incidents{person="Ana Lima",team="Platform",window="7d"} 1`,
		`hero_responder_offrotation_incidents{person="Cai Wu",team="Platform",window="7d"} 1`,
		// Severities: PI1 P1 → critical, PI2/PI4 urgency low → low, PI5 P2 → high; PI3 SEV3 → low.
		`hero_incidents{service="checkout",severity="critical",source="pd",team="Payments",window="7d"} 1`,
		`hero_incidents{service="checkout",severity="low",source="pd",team="Payments",window="7d"} 2`,
		`hero_incidents{service="infra",severity="low",source="pd",team="Platform",window="7d"} 1`,
		`hero_incidents_open{service="checkout",severity="high",source="pd",team="Payments"} 1`,
		`hero_incidents_open_solo{source="pd",team="Payments"} 1`,
	}
	for _, l := range want {
		if !contains(lines, l) {
			t.Errorf("missing or different: %s", l)
		}
	}
	for _, l := range lines {
		if strings.HasPrefix(l, "hero_incident_mtta_seconds{team=\"Platform\"") {
			t.Errorf("MTTA present for a team nobody acknowledged: %s", l)
		}
	}
	if t.Failed() {
		t.Logf("got:\n%s", strings.Join(lines, "\n"))
	}
	body := fetch(t, "http://"+addr+"/metrics") + fetch(t, "http://"+addr+"/")
	if strings.Contains(body, token) {
		t.Fatal("the token appears on /metrics or the landing page")
	}
	if !strings.Contains(body, `hero_source_api_requests_total{code="200",source="pd",type="pagerduty"}`) {
		t.Error("no API request counter")
	}
	if b, err := os.ReadFile(filepath.Join(dir, "hero_exporter.log")); err != nil || strings.Contains(string(b), token) {
		t.Fatalf("token in the exporter's log (or log unreadable: %v)", err)
	}
}

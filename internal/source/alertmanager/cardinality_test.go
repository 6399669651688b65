package alertmanager

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/hero-exporter/hero_exporter/internal/store"
	"github.com/hero-exporter/hero_exporter/internal/webhook"
)

// teamsBody is one notification with an alert for each team name; the first alert has
// service first, the others service.
func teamsBody(t *testing.T, teams []string, first, service string) []byte {
	t.Helper()
	alerts := make([]map[string]any, len(teams))
	for i, team := range teams {
		if i == 0 && first != "" {
			alerts[i] = map[string]any{"status": "firing", "startsAt": "2026-11-20T11:00:00Z",
				"labels": map[string]string{"alertname": "X", "team": team, "service": first, "n": fmt.Sprint(i)}}
			continue
		}
		alerts[i] = map[string]any{"status": "firing", "startsAt": "2026-11-20T11:00:00Z",
			"labels": map[string]string{"alertname": "X", "team": team, "service": service, "n": fmt.Sprint(i)}}
	}
	b, err := json.Marshal(map[string]any{"version": "4", "status": "firing", "alerts": alerts})
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func distinct(st *store.Store, t *testing.T) (teams, services map[string]int) {
	t.Helper()
	hist, err := st.LoadHistory(context.Background(), time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	teams, services = map[string]int{}, map[string]int{}
	for _, in := range hist.Incidents {
		teams[in.Team]++
		services[in.Service]++
	}
	return teams, services
}

// TestPushedLabelValuesBounded: 5,000 distinct teams in one notification make at most
// max_label_values team values plus "other" (every alert still stored), an over-long value
// folds too, the folds are counted and logged a bounded number of times, and after a
// restart on the same store the bound still holds: a new team folds, a known one stays.
func TestPushedLabelValuesBounded(t *testing.T) {
	dir := t.TempDir()
	ctx := context.Background()
	open := func() (*store.Store, *harness) {
		st, err := store.Open(ctx, filepath.Join(dir, "store"), nil)
		if err != nil {
			t.Fatal(err)
		}
		h := newHarness(t, nil)
		var logs bytes.Buffer
		h.logs = &logs
		h.rcv = New(Config{Name: "am", Path: "/hooks/am", Now: func() time.Time { return now }, AllowUnauthenticated: true,
			Labels: webhook.LabelLimits{MaxValues: 50}}, st, nil, nil)
		h.rcv.labels.SeedFrom(ctx, st, "am")
		h.srv.Config.Handler = h.rcv.Handler()
		return st, h
	}
	st, h := open()
	teams := make([]string, 5000)
	for i := range teams {
		teams[i] = fmt.Sprintf("team-%04d", i)
	}
	huge := strings.Repeat("x", 900<<10)
	if code, body := h.post(t, teamsBody(t, teams, huge, "api"), ""); code != http.StatusOK || !strings.Contains(body, `"stored":5000`) {
		t.Fatalf("HTTP %d %s", code, body)
	}
	gotTeams, gotServices := distinct(st, t)
	if len(gotTeams) != 51 || gotTeams[webhook.Other] != 4950 || gotTeams["team-0000"] != 1 || gotTeams["team-0049"] != 1 {
		t.Fatalf("%d team values (other: %d), want 50 + other (4950)", len(gotTeams), gotTeams[webhook.Other])
	}
	if len(gotServices) != 2 || gotServices[webhook.Other] != 1 || gotServices["api"] != 4999 {
		t.Fatalf("services %v, want the 900 KiB value folded into other", gotServices["api"])
	}
	if f := h.rcv.FoldedLabelValues(); f["team"] != 4950 || f["service"] != 1 {
		t.Fatalf("folded %v, want team 4950 service 1", f)
	}
	st.Close()

	st, h = open() // restart
	defer st.Close()
	if code, _ := h.post(t, teamsBody(t, []string{"team-0007", "brand-new"}, "", "api"), ""); code != http.StatusOK {
		t.Fatal(code)
	}
	gotTeams, _ = distinct(st, t)
	if len(gotTeams) != 51 || gotTeams["brand-new"] != 0 || gotTeams["team-0007"] != 2 {
		t.Fatalf("after restart: %d team values, brand-new %d, team-0007 %d; want the bound kept", len(gotTeams), gotTeams["brand-new"], gotTeams["team-0007"])
	}
	if f := h.rcv.FoldedLabelValues(); f["team"] != 1 || f["service"] != 0 {
		t.Fatalf("after restart folded %v, want team 1 (brand-new), service 0 (api admitted before)", f)
	}
}

// TestAllowList: with allowed_teams only those teams become label values.
func TestAllowList(t *testing.T) {
	h := newHarness(t, func(c *Config) {
		c.Labels = webhook.LabelLimits{Allowed: map[string][]string{"team": {"payments", "search"}}}
	})
	if code, _ := h.post(t, teamsBody(t, []string{"payments", "evil", "search", "evil2"}, "", "api"), ""); code != http.StatusOK {
		t.Fatal(code)
	}
	got := map[string]int{}
	for _, in := range h.sink.all() {
		got[in.Team]++
	}
	if len(got) != 3 || got["payments"] != 1 || got["search"] != 1 || got[webhook.Other] != 2 {
		t.Fatalf("teams %v", got)
	}
}

// TestTokenRequiredAndJSONOnly: without a token and without the opt-out every push is
// refused; a browser-postable content type is refused with 415.
func TestTokenRequiredAndJSONOnly(t *testing.T) {
	h := newHarness(t, func(c *Config) { c.AllowUnauthenticated = false })
	if code, _ := h.post(t, readFixture(t, "firing.json"), ""); code != http.StatusUnauthorized || h.sink.count() != 0 {
		t.Fatalf("no token configured, no opt-out: HTTP %d, %d stored", code, h.sink.count())
	}
	h = newHarness(t, func(c *Config) { c.Token = testToken })
	for _, ct := range []string{"text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x", ""} {
		req, _ := http.NewRequest(http.MethodPost, h.srv.URL+"/hooks/am", bytes.NewReader(readFixture(t, "firing.json")))
		req.Header.Set("Authorization", "Bearer "+testToken)
		if ct != "" {
			req.Header.Set("Content-Type", ct)
		}
		resp, err := h.srv.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusUnsupportedMediaType || h.sink.count() != 0 {
			t.Errorf("Content-Type %q: HTTP %d, %d stored", ct, resp.StatusCode, h.sink.count())
		}
	}
	if c := h.rcv.WebhookRequests()["415"]; c != 4 {
		t.Errorf("415 counted %v times, want 4", c)
	}
}

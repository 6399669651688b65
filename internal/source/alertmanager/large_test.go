package alertmanager

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"path/filepath"
	"reflect"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/hero-exporter/hero_exporter/internal/store"
)

// groupBody is one notification of a group of n alerts, shaped as Alertmanager 0.25+
// sends it (every field, a runbook annotation and a generator URL per alert).
func groupBody(t testing.TB, n int, status string) []byte {
	t.Helper()
	type wireAlert struct {
		Status       string            `json:"status"`
		Labels       map[string]string `json:"labels"`
		Annotations  map[string]string `json:"annotations"`
		StartsAt     string            `json:"startsAt"`
		EndsAt       string            `json:"endsAt"`
		GeneratorURL string            `json:"generatorURL"`
		Fingerprint  string            `json:"fingerprint"`
	}
	alerts := make([]wireAlert, n)
	for i := range alerts {
		labels := map[string]string{"alertname": "TargetDown", "team": "storage", "service": "ceph", "severity": "critical",
			"instance": fmt.Sprintf("osd-%05d.storage.example.com:9283", i), "job": "ceph-osd", "cluster": "eu-west-1"}
		end := "0001-01-01T00:00:00Z"
		if status == "resolved" {
			end = "2026-11-20T11:30:00Z"
		}
		alerts[i] = wireAlert{Status: status, Labels: labels,
			Annotations: map[string]string{"summary": "OSD target is down", "runbook_url": "https://runbooks.example.com/storage/target-down"},
			StartsAt:    "2026-11-20T11:00:00Z", EndsAt: end,
			GeneratorURL: "https://prometheus.example.com/graph?g0.expr=up%7Bjob%3D%22ceph-osd%22%7D+%3D%3D+0&g0.tab=1",
			Fingerprint:  Fingerprint(labels)}
	}
	body, err := json.Marshal(map[string]any{
		"version": "4", "groupKey": `{}:{alertname="TargetDown"}`, "truncatedAlerts": 0, "status": status,
		"receiver": "hero", "groupLabels": map[string]string{"alertname": "TargetDown"},
		"commonLabels": map[string]string{"alertname": "TargetDown"}, "commonAnnotations": map[string]string{},
		"externalURL": "http://alertmanager:9093", "alerts": alerts,
	})
	if err != nil {
		t.Fatal(err)
	}
	return body
}

// TestLargeGroupStoredWhole: a group of 10,000 alerts (max_alerts: 0), several MiB in
// one body, is accepted with the default limit and stored whole in one write.
func TestLargeGroupStoredWhole(t *testing.T) {
	h := newHarness(t, nil)
	body := groupBody(t, 10000, "firing")
	if len(body) <= 1<<20 {
		t.Fatalf("body is %d bytes; the test needs one over the old 1 MiB limit", len(body))
	}
	code, resp := h.post(t, body, "")
	if code != http.StatusOK || !strings.Contains(resp, `"stored":10000`) {
		t.Fatalf("HTTP %d %s", code, resp)
	}
	if h.sink.count() != 10000 || h.sink.writes != 1 || h.notified() != 1 {
		t.Fatalf("stored %d incidents in %d writes, notified %d", h.sink.count(), h.sink.writes, h.notified())
	}
	if got := h.rcv.WebhookRequests(); !reflect.DeepEqual(got, map[string]float64{"200": 1}) {
		t.Errorf("requests = %v", got)
	}
	if DefaultMaxBodyBytes != 32<<20 {
		t.Errorf("default limit %d, documented as 32 MiB", DefaultMaxBodyBytes)
	}
}

// TestRefusedRequestsCountedAndLogged: every answer is counted by status code, and
// every refusal is logged with its code and reason (never the token).
func TestRefusedRequestsCountedAndLogged(t *testing.T) {
	h := newHarness(t, func(c *Config) { c.Token = testToken; c.MaxBodyBytes = 64 << 10 })
	good := readFixture(t, "firing.json")
	post := func(body []byte, token string, want int) {
		t.Helper()
		if code, resp := h.post(t, body, token); code != want {
			t.Fatalf("HTTP %d %s, want %d", code, resp, want)
		}
	}
	post(good, testToken, 200)
	post(good, testToken, 200)
	post(good, "wrong", 401)
	post(good, "", 401)
	post(groupBody(t, 1000, "firing"), testToken, 413)
	post([]byte(`{"version":"3","alerts":[]}`), testToken, 400)
	h.sink.fail = fmt.Errorf("disk full")
	post(good, testToken, 500)
	resp, err := h.srv.Client().Get(h.srv.URL + "/hooks/am")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	want := map[string]float64{"200": 2, "401": 2, "413": 1, "400": 1, "500": 1, "405": 1}
	if got := h.rcv.WebhookRequests(); !reflect.DeepEqual(got, want) {
		t.Errorf("requests = %v, want %v", got, want)
	}
	h.logMu.Lock()
	logs := h.logs.String()
	h.logMu.Unlock()
	for _, code := range []string{"401", "413", "400", "500", "405"} {
		if !regexp.MustCompile(`msg="webhook request refused" .*code=` + code + ` reason=`).MatchString(logs) {
			t.Errorf("no log line for the refused %s:\n%s", code, logs)
		}
	}
	if strings.Contains(logs, testToken) {
		t.Error("the token was logged")
	}
}

// TestResolvedNotReopenedAfterRestart: which alerts were resolved is in the store, so a
// replay of an old firing notification after a restart does not reopen them.
func TestResolvedNotReopenedAfterRestart(t *testing.T) {
	dir := t.TempDir()
	ctx := context.Background()
	open := func() (*store.Store, *Receiver, *harness) {
		st, err := store.Open(ctx, filepath.Join(dir, "store"), nil)
		if err != nil {
			t.Fatal(err)
		}
		h := newHarness(t, nil)
		h.rcv = New(Config{Name: "am", Path: "/hooks/am", Now: func() time.Time { return now }, AllowUnauthenticated: true}, st, nil, nil)
		h.srv.Config.Handler = h.rcv.Handler()
		return st, h.rcv, h
	}
	st, _, h := open()
	if code, _ := h.post(t, readFixture(t, "firing.json"), ""); code != 200 {
		t.Fatal(code)
	}
	if code, _ := h.post(t, readFixture(t, "resolved.json"), ""); code != 200 {
		t.Fatal(code)
	}
	st.Close()

	st, _, h = open() // a restart: a new receiver on the same store
	defer st.Close()
	if code, _ := h.post(t, readFixture(t, "firing.json"), ""); code != 200 {
		t.Fatal(code)
	}
	hist, err := st.LoadHistory(ctx, time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	id := "1a2b3c4d5e6f7081@2026-11-20T09:00:00.123456789Z"
	found := false
	for _, in := range hist.Incidents {
		if in.ID == id {
			found = true
			if want := time.Date(2026, 11, 20, 9, 25, 0, 123000000, time.UTC); !in.ResolvedAt.Equal(want) {
				t.Errorf("after the replay: resolved at %v, want %v (the store keeps milliseconds; zero means reopened)", in.ResolvedAt, want)
			}
		}
	}
	if !found {
		t.Fatalf("incident %s not stored: %+v", id, hist.Incidents)
	}
}

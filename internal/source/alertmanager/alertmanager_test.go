package alertmanager

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/common/model"

	"github.com/hero-exporter/hero_exporter/internal/incident"
	"github.com/hero-exporter/hero_exporter/internal/source"
	"github.com/hero-exporter/hero_exporter/internal/source/sourcetest"
)

const testToken = "am-TESTtoken-never-log-9876"

// memSink upserts by (source, id), like the store.
type memSink struct {
	mu        sync.Mutex
	writes    int
	fail      error
	incidents map[string]incident.Incident
}

func newSink() *memSink { return &memSink{incidents: map[string]incident.Incident{}} }

func (m *memSink) Write(_ context.Context, src string, b *source.Batch) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.fail != nil {
		return m.fail
	}
	m.writes++
	if len(b.People)+len(b.Teams)+len(b.Pages)+len(b.Engagements)+len(b.Shifts) > 0 {
		return errors.New("alertmanager wrote person-related records")
	}
	for _, in := range b.Incidents {
		if in.Source != src {
			return fmt.Errorf("incident of source %q written as %q", in.Source, src)
		}
		if old, ok := m.incidents[in.ID]; ok && b.KeepResolved && in.ResolvedAt.IsZero() {
			in.ResolvedAt = old.ResolvedAt // as the store does
		}
		m.incidents[in.ID] = in
	}
	return nil
}

func (m *memSink) count() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return len(m.incidents)
}

func (m *memSink) all() []incident.Incident {
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []incident.Incident
	for _, in := range m.incidents {
		out = append(out, in)
	}
	return out
}

var now = time.Date(2026, 11, 20, 12, 0, 0, 0, time.UTC)

type harness struct {
	rcv     *Receiver
	sink    *memSink
	srv     *httptest.Server
	notify  int
	notifMu sync.Mutex
	logs    *bytes.Buffer
	logMu   *sync.Mutex
}

type lockedWriter struct {
	mu *sync.Mutex
	b  *bytes.Buffer
}

func (w lockedWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.b.Write(p)
}

func newHarness(t *testing.T, mod func(*Config)) *harness {
	t.Helper()
	h := &harness{sink: newSink(), logs: &bytes.Buffer{}, logMu: &sync.Mutex{}}
	// Tests of other things than authentication run with the documented opt-out.
	cfg := Config{Name: "am", Path: "/hooks/am", Now: func() time.Time { return now }, AllowUnauthenticated: true}
	if mod != nil {
		mod(&cfg)
	}
	logger := slog.New(slog.NewTextHandler(lockedWriter{h.logMu, h.logs}, &slog.HandlerOptions{Level: slog.LevelDebug}))
	h.rcv = New(cfg, h.sink, func() {
		h.notifMu.Lock()
		h.notify++
		h.notifMu.Unlock()
	}, logger)
	mux := http.NewServeMux()
	mux.Handle(h.rcv.Path(), h.rcv.Handler())
	h.srv = httptest.NewServer(mux)
	t.Cleanup(h.srv.Close)
	return h
}

func (h *harness) post(t *testing.T, body []byte, token string) (int, string) {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, h.srv.URL+"/hooks/am", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := h.srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	out, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(out)
}

func (h *harness) notified() int {
	h.notifMu.Lock()
	defer h.notifMu.Unlock()
	return h.notify
}

func readFixture(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// referenceDir returns $HERO_REFERENCE_DIR/apis/alertmanager-webhook. Without the
// variable the test is skipped, except in CI (CI=true), where it fails.
func referenceDir(t *testing.T) string {
	t.Helper()
	return sourcetest.Reference{Path: "apis/alertmanager-webhook", Check: "samples", Test: "reference test",
		Skipping: "the test against real Alertmanager bodies", What: "Alertmanager samples", Plural: true}.Locate(t)
}

// Every real webhook body of the reference accepted, each alert stored once.
func TestReferenceSamplesAccepted(t *testing.T) {
	dir := referenceDir(t)
	var files []string
	err := filepath.WalkDir(filepath.Join(dir, "samples"), func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() && strings.HasSuffix(p, ".json") {
			files = append(files, p)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(files) == 0 {
		t.Fatal("no sample bodies found")
	}
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			body, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			var raw struct {
				Alerts []struct {
					Labels   map[string]string `json:"labels"`
					StartsAt string            `json:"startsAt"`
				} `json:"alerts"`
			}
			if err := json.Unmarshal(body, &raw); err != nil {
				t.Fatal(err)
			}
			distinct := map[string]bool{}
			for _, a := range raw.Alerts {
				distinct[Fingerprint(a.Labels)+a.StartsAt] = true
			}
			h := newHarness(t, nil)
			code, resp := h.post(t, body, "")
			if code != http.StatusOK {
				t.Fatalf("HTTP %d: %s", code, resp)
			}
			if got := h.sink.count(); got != len(distinct) || got == 0 {
				t.Errorf("stored %d incidents, want %d", got, len(distinct))
			}
			for _, in := range h.sink.all() {
				if in.CreatedAt.IsZero() || in.RecurrenceKey == "" || in.Title == "" || !in.ResolvedAt.IsZero() {
					t.Errorf("incident %+v", in)
				}
			}
			// Redelivery of the same body changes nothing.
			if code, _ := h.post(t, body, ""); code != http.StatusOK || h.sink.count() != len(distinct) {
				t.Errorf("redelivery: HTTP %d, %d incidents", code, h.sink.count())
			}
		})
	}
	t.Logf("accepted %d reference bodies", len(files))
}

func TestFiringThenResolvedUpdatesTheSameIncident(t *testing.T) {
	h := newHarness(t, nil)
	if code, resp := h.post(t, readFixture(t, "firing.json"), ""); code != http.StatusOK || !strings.Contains(resp, `"stored":2`) {
		t.Fatalf("firing: HTTP %d %s", code, resp)
	}
	if h.notified() != 1 {
		t.Errorf("notify called %d times", h.notified())
	}
	id := "1a2b3c4d5e6f7081@2026-11-20T09:00:00.123456789Z"
	want := incident.Incident{Source: "am", ID: id, Title: "CheckoutLatencyHigh: p99 checkout latency above 2s",
		Team: "payments", Service: "checkout", Severity: incident.SeverityCritical, RecurrenceKey: "1a2b3c4d5e6f7081",
		CreatedAt: time.Date(2026, 11, 20, 9, 0, 0, 123456789, time.UTC)}
	if got := h.sink.incidents[id]; got != want {
		t.Errorf("firing\n got %+v\nwant %+v", got, want)
	}
	// A firing alert's endsAt is only Alertmanager's estimate: it does not resolve.
	for _, in := range h.sink.all() {
		if !in.ResolvedAt.IsZero() {
			t.Errorf("firing incident resolved: %+v", in)
		}
	}
	if code, _ := h.post(t, readFixture(t, "resolved.json"), ""); code != http.StatusOK {
		t.Fatalf("resolved: HTTP %d", code)
	}
	if h.sink.count() != 2 {
		t.Fatalf("%d incidents after resolve", h.sink.count())
	}
	want.ResolvedAt = time.Date(2026, 11, 20, 9, 25, 0, 123456789, time.UTC)
	if got := h.sink.incidents[id]; got != want {
		t.Errorf("resolved\n got %+v\nwant %+v", got, want)
	}
	// A late retry of the firing notification does not reopen it.
	if code, _ := h.post(t, readFixture(t, "firing.json"), ""); code != http.StatusOK {
		t.Fatal(code)
	}
	if got := h.sink.incidents[id]; got.ResolvedAt != want.ResolvedAt {
		t.Errorf("late firing reopened the incident: %+v", got)
	}
	if h.notified() != 3 {
		t.Errorf("notify called %d times, want 3", h.notified())
	}
}

func TestRedeliveryCountedOnce(t *testing.T) {
	h := newHarness(t, nil)
	body := readFixture(t, "firing.json")
	for range 5 {
		if code, _ := h.post(t, body, ""); code != http.StatusOK {
			t.Fatal(code)
		}
	}
	if h.sink.count() != 2 {
		t.Errorf("%d incidents after 5 deliveries of 2 alerts", h.sink.count())
	}
	snap := incident.Compute(history(h.sink), incident.DefaultSettings(), now)
	total := 0
	for _, c := range snap.Incidents {
		if c.Window == "7d" {
			total += c.Count
		}
	}
	if total != 2 {
		t.Errorf("hero_incidents over 7d = %d, want 2", total)
	}
}

func TestLegacyBodyWithoutFingerprintOrStatus(t *testing.T) {
	h := newHarness(t, nil)
	if code, resp := h.post(t, readFixture(t, "legacy_no_fingerprint.json"), ""); code != http.StatusOK {
		t.Fatalf("HTTP %d %s", code, resp)
	}
	labels := map[string]string{"alertname": "DiskFull", "severity": "warning", "mountpoint": "/var", "instance": "db-1"}
	fp := Fingerprint(labels)
	in, ok := h.sink.incidents[fp+"@2026-11-19T22:10:00Z"]
	if !ok {
		t.Fatalf("incidents %v", h.sink.all())
	}
	if in.Title != "DiskFull" || in.Severity != incident.SeverityLow || in.Team != "" || in.Service != "" || in.RecurrenceKey != fp {
		t.Errorf("%+v", in)
	}
	// The group status stands in for the per-alert status older versions omit.
	body := bytes.Replace(readFixture(t, "legacy_no_fingerprint.json"), []byte(`"status": "firing"`), []byte(`"status": "resolved"`), 1)
	body = bytes.Replace(body, []byte(`"endsAt": "0001-01-01T00:00:00Z"`), []byte(`"endsAt": "2026-11-19T23:40:00+01:00"`), 1)
	if code, _ := h.post(t, body, ""); code != http.StatusOK {
		t.Fatal(code)
	}
	if got := h.sink.incidents[fp+"@2026-11-19T22:10:00Z"].ResolvedAt; got != time.Date(2026, 11, 19, 22, 40, 0, 0, time.UTC) {
		t.Errorf("resolved at %v", got)
	}
}

func TestFingerprintMatchesPrometheus(t *testing.T) {
	for _, ls := range []map[string]string{
		{}, {"alertname": "X"},
		{"alertname": "DiskFull", "severity": "warning", "mountpoint": "/var", "instance": "db-1"},
		{"a": "", "b": "ü", "zz": "1\xff2"},
	} {
		mls := model.LabelSet{}
		for k, v := range ls {
			mls[model.LabelName(k)] = model.LabelValue(v)
		}
		if got, want := Fingerprint(ls), mls.Fingerprint().String(); got != want {
			t.Errorf("Fingerprint(%v) = %s, want %s", ls, got, want)
		}
	}
}

func TestBadBodiesRejectedWithNothingStored(t *testing.T) {
	good := string(readFixture(t, "firing.json"))
	cases := map[string]struct {
		body string
		code int
		want string
	}{
		"malformed json":   {good[:len(good)/2], 400, "malformed JSON"},
		"not json":         {"<html>oops</html>", 400, "malformed JSON"},
		"empty":            {"", 400, "empty body"},
		"trailing data":    {good + "{}", 400, "trailing data"},
		"wrong version":    {strings.Replace(good, `"version": "4"`, `"version": "3"`, 1), 400, `unsupported webhook version \"3\", want \"4\"`},
		"no version":       {`{"status":"firing","alerts":[]}`, 400, `unsupported webhook version \"\"`},
		"no alerts":        {`{"version":"4","status":"firing"}`, 400, `missing field \"alerts\"`},
		"missing startsAt": {strings.Replace(good, `"startsAt": "2026-11-20T09:00:30Z",`, ``, 1), 400, "alerts[1]: missing startsAt"},
		"bad time":         {strings.Replace(good, `2026-11-20T09:00:30Z`, `yesterday`, 1), 400, "malformed JSON"},
		"wrong type":       {strings.Replace(good, `"instance": "checkout-2:8080"`, `"instance": 8080`, 1), 400, "malformed JSON"},
		"oversized":        {`{"version":"4","alerts":[],"pad":"` + strings.Repeat("x", 2<<20) + `"}`, 413, "body larger than 1048576 bytes"},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			h := newHarness(t, func(c *Config) { c.MaxBodyBytes = 1 << 20 })
			code, resp := h.post(t, []byte(tc.body), "")
			if code != tc.code || !strings.Contains(resp, tc.want) {
				t.Errorf("HTTP %d %s, want %d %q", code, resp, tc.code, tc.want)
			}
			if h.sink.count() != 0 || h.sink.writes != 0 || h.notified() != 0 {
				t.Errorf("stored %d incidents in %d writes, notified %d", h.sink.count(), h.sink.writes, h.notified())
			}
		})
	}
}

// An oversized body sent without Content-Length (chunked) is cut off at the limit.
func TestOversizedChunkedBody(t *testing.T) {
	h := newHarness(t, func(c *Config) { c.MaxBodyBytes = 4096 })
	pr, pw := io.Pipe()
	go func() {
		_, _ = pw.Write([]byte(`{"version":"4","alerts":[],"pad":"`))
		for range 100 {
			if _, err := pw.Write(bytes.Repeat([]byte("y"), 1024)); err != nil {
				return
			}
		}
		_ = pw.Close()
	}()
	req, _ := http.NewRequest(http.MethodPost, h.srv.URL+"/hooks/am", pr)
	req.Header.Set("Content-Type", "application/json")
	resp, err := h.srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	pr.Close()
	if resp.StatusCode != http.StatusRequestEntityTooLarge || h.sink.count() != 0 {
		t.Errorf("HTTP %d, %d stored", resp.StatusCode, h.sink.count())
	}
}

func TestBearerToken(t *testing.T) {
	h := newHarness(t, func(c *Config) { c.Token = testToken })
	body := readFixture(t, "firing.json")
	for name, tok := range map[string]string{"missing": "", "wrong": "nope", "prefix": testToken[:10], "longer": testToken + "x"} {
		code, resp := h.post(t, body, tok)
		if code != http.StatusUnauthorized || strings.Contains(resp, testToken) {
			t.Errorf("%s token: HTTP %d %s", name, code, resp)
		}
	}
	// Basic auth carrying the token is not a bearer token.
	req, _ := http.NewRequest(http.MethodPost, h.srv.URL+"/hooks/am", bytes.NewReader(body))
	req.SetBasicAuth("x", testToken)
	if resp, err := h.srv.Client().Do(req); err != nil || resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("basic auth: %v %v", resp.StatusCode, err)
	} else {
		resp.Body.Close()
	}
	if h.sink.count() != 0 {
		t.Fatal("stored with a wrong token")
	}
	if code, _ := h.post(t, body, testToken); code != http.StatusOK || h.sink.count() != 2 {
		t.Errorf("right token: HTTP %d, %d stored", code, h.sink.count())
	}
	h.logMu.Lock()
	defer h.logMu.Unlock()
	if strings.Contains(h.logs.String(), testToken) {
		t.Error("token in the log")
	}
}

func TestMethodAndStoreFailure(t *testing.T) {
	h := newHarness(t, nil)
	resp, err := h.srv.Client().Get(h.srv.URL + "/hooks/am")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusMethodNotAllowed || resp.Header.Get("Allow") != "POST" {
		t.Errorf("GET: %d", resp.StatusCode)
	}
	h.sink.fail = errors.New("disk full")
	if code, resp := h.post(t, readFixture(t, "firing.json"), ""); code != http.StatusInternalServerError || strings.Contains(resp, "disk full") {
		t.Errorf("store failure: HTTP %d %s", code, resp)
	}
	if h.notified() != 0 {
		t.Error("notified after a failed write")
	}
	// Nothing is remembered as resolved from a failed write.
	h.sink.fail = nil
	if code, _ := h.post(t, readFixture(t, "resolved.json"), ""); code != http.StatusOK || h.sink.count() != 2 {
		t.Errorf("after recovery: HTTP %d, %d stored", code, h.sink.count())
	}
}

func TestSourceInterface(t *testing.T) {
	sink := newSink()
	r := New(Config{Name: "am2", AllowUnauthenticated: true}, sink, nil, nil)
	if r.Type() != "alertmanager" || r.Name() != "am2" || r.Path() != "/alertmanager/am2" || r.Capabilities() != (incident.Capabilities{}) {
		t.Errorf("%s %s %s %+v", r.Type(), r.Name(), r.Path(), r.Capabilities())
	}
	if err := r.Sync(t.Context(), "", sink); err != nil || sink.writes != 0 {
		t.Errorf("Sync: %v, %d writes", err, sink.writes)
	}
	// A nil notify is allowed.
	rec := httptest.NewRecorder()
	req := httptest.NewRequest(http.MethodPost, "/alertmanager/am2", bytes.NewReader(readFixture(t, "firing.json")))
	req.Header.Set("Content-Type", "application/json")
	r.Handler().ServeHTTP(rec, req)
	if rec.Code != http.StatusOK || sink.count() != 2 {
		t.Errorf("HTTP %d, %d stored", rec.Code, sink.count())
	}
}

func TestSeverityMapping(t *testing.T) {
	for v, want := range map[string]incident.Severity{
		"critical": incident.SeverityCritical, "CRITICAL": incident.SeverityCritical, "page": incident.SeverityCritical,
		"P1": incident.SeverityCritical, "sev0": incident.SeverityCritical, "fatal": incident.SeverityCritical,
		"high": incident.SeverityHigh, "error": incident.SeverityHigh, "major": incident.SeverityHigh, "SEV-2": incident.SeverityHigh,
		"warning": incident.SeverityLow, "warn": incident.SeverityLow, "info": incident.SeverityLow, "low": incident.SeverityLow,
		"p4": incident.SeverityLow, "medium": incident.SeverityLow, "none": incident.SeverityLow,
		"": incident.SeverityUnknown, "bogus": incident.SeverityUnknown,
	} {
		if got := Severity(v); got != want {
			t.Errorf("Severity(%q) = %s, want %s", v, got, want)
		}
	}
}

// ---- scenario → analytics ----

type testAlert struct {
	fp, name, service string
	start, end        time.Time // end zero: firing
}

func payload(status string, alerts ...testAlert) []byte {
	type al struct {
		Status      string            `json:"status"`
		Labels      map[string]string `json:"labels"`
		Annotations map[string]string `json:"annotations"`
		StartsAt    time.Time         `json:"startsAt"`
		EndsAt      time.Time         `json:"endsAt"`
		Fingerprint string            `json:"fingerprint"`
	}
	m := map[string]any{"version": "4", "status": status, "receiver": "hero", "groupKey": "{}:{}", "truncatedAlerts": 0}
	var as []al
	for _, a := range alerts {
		st := "firing"
		if !a.end.IsZero() {
			st = "resolved"
		}
		as = append(as, al{Status: st, Fingerprint: a.fp, StartsAt: a.start, EndsAt: a.end,
			Labels:      map[string]string{"alertname": a.name, "owner": "payments", "component": a.service, "level": "critical"},
			Annotations: map[string]string{"summary": "it broke"}})
	}
	m["alerts"] = as
	b, _ := json.Marshal(m)
	return b
}

func history(s *memSink) *incident.History {
	return &incident.History{Sources: map[string]incident.Capabilities{"am": {}}, Incidents: s.all()}
}

// A known scenario through the handler into the analytics, with every figure computed
// by hand.
//
//	D  fp aaaa  −12d        resolved after 60m
//	A1 fp aaaa  −3d         resolved after 30m   (9d after D: not a recurrence)
//	A2 fp aaaa  −2d         resolved after 10m   (1d after A1: a recurrence), delivered 3×
//	B  fp bbbb  −1d         firing, then resolved after 20m
//	C  fp cccc  −1h         firing (open)
//
// 7d:  incidents A1 A2 B C = 4; MTTR mean(30m, 10m, 20m) = 1200 s; recurrences 1.
// 28d: incidents 5; MTTR mean(60m, 30m, 10m, 20m) = 1800 s; recurrences 1.
func TestScenarioAnalytics(t *testing.T) {
	h := newHarness(t, func(c *Config) { c.TeamLabel, c.ServiceLabel, c.SeverityLabel = "owner", "component", "level" })
	d := func(x time.Duration) time.Time { return now.Add(x) }
	day := 24 * time.Hour
	bodies := [][]byte{
		payload("resolved", testAlert{"aaaaaaaaaaaaaaaa", "ErrorRate", "checkout", d(-12 * day), d(-12*day + time.Hour)}),
		payload("resolved", testAlert{"aaaaaaaaaaaaaaaa", "ErrorRate", "checkout", d(-3 * day), d(-3*day + 30*time.Minute)}),
		payload("resolved", testAlert{"aaaaaaaaaaaaaaaa", "ErrorRate", "checkout", d(-2 * day), d(-2*day + 10*time.Minute)}),
		payload("resolved", testAlert{"aaaaaaaaaaaaaaaa", "ErrorRate", "checkout", d(-2 * day), d(-2*day + 10*time.Minute)}),
		payload("firing", testAlert{"bbbbbbbbbbbbbbbb", "Latency", "checkout", d(-day), time.Time{}}),
		payload("resolved", testAlert{"aaaaaaaaaaaaaaaa", "ErrorRate", "checkout", d(-2 * day), d(-2*day + 10*time.Minute)}),
		payload("resolved", testAlert{"bbbbbbbbbbbbbbbb", "Latency", "checkout", d(-day), d(-day + 20*time.Minute)}),
		payload("firing", testAlert{"cccccccccccccccc", "QueueBacklog", "billing", d(-time.Hour), time.Time{}}),
	}
	for i, b := range bodies {
		if code, resp := h.post(t, b, ""); code != http.StatusOK {
			t.Fatalf("body %d: HTTP %d %s", i, code, resp)
		}
	}
	if h.sink.count() != 5 {
		t.Fatalf("stored %d incidents, want 5", h.sink.count())
	}
	snap := incident.Compute(history(h.sink), incident.DefaultSettings(), now)

	counts := map[string]int{}
	for _, c := range snap.Incidents {
		if c.Source != "am" || c.Team != "payments" || c.Severity != incident.SeverityCritical {
			t.Errorf("incident row %+v", c)
		}
		counts[c.Window] += c.Count
	}
	if counts["7d"] != 4 || counts["28d"] != 5 {
		t.Errorf("hero_incidents %v, want 7d=4 28d=5", counts)
	}
	open := 0
	for _, o := range snap.Open {
		open += o.Count
		if o.Count > 0 && o.Service != "billing" {
			t.Errorf("open row %+v", o)
		}
	}
	if open != 1 {
		t.Errorf("open incidents %d, want 1", open)
	}
	mttr := map[string]float64{}
	for _, tw := range snap.Teams {
		if tw.Team != "payments" {
			t.Errorf("team row %+v", tw)
			continue
		}
		if !tw.HasMTTR || tw.HasMTTA || tw.HasLoad || tw.Responders != 0 {
			t.Errorf("team figures %+v: MTTR only, nothing person-related", tw)
		}
		mttr[tw.Window] = tw.MTTR
	}
	if mttr["7d"] != 1200 || mttr["28d"] != 1800 {
		t.Errorf("MTTR %v, want 7d=1200 28d=1800", mttr)
	}
	recs := map[string]int{}
	for _, r := range snap.Recurrences {
		if r.Count > 0 && (r.Team != "payments" || r.Service != "checkout") {
			t.Errorf("recurrence row %+v", r)
		}
		recs[r.Window] += r.Count
	}
	if recs["7d"] != 1 || recs["28d"] != 1 {
		t.Errorf("recurrences %v, want 7d=1 28d=1", recs)
	}
	if len(snap.Responders) != 0 {
		t.Errorf("responder rows from a source without people: %+v", snap.Responders)
	}
}

package opsgenie

import (
	"encoding/json"
	"net/http"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/hero-exporter/hero_exporter/internal/incident"
	"github.com/hero-exporter/hero_exporter/internal/source/httpapi"
	"github.com/hero-exporter/hero_exporter/internal/source/opsgenie/ogfake"
	"github.com/hero-exporter/hero_exporter/internal/source/sourcetest"
)

func TestBackfillMapping(t *testing.T) {
	h := newHarness(t, scenario, nil)
	if err := h.Sync(t); err != nil {
		t.Fatal(err)
	}
	s := h.Sink
	if got := s.People["UCAI"]; got.TimeZone != "Europe/London" || got.Email != "cai@example.com" || got.Name != "Cai Wu" {
		t.Errorf("unset time zone → %+v", got)
	}
	if got := s.People["UANA"]; got.TimeZone != "Europe/Berlin" || got.Source != "og" {
		t.Errorf("ana = %+v", got)
	}
	if got := s.Teams["Payments"].Members; !reflect.DeepEqual(got, []string{"UANA", "UBEN"}) {
		t.Errorf("Payments members %v", got)
	}
	a1 := s.Incidents["A1"]
	want1 := incident.Incident{Source: "og", ID: "A1", Title: "DB down", Team: "Payments", Service: "Datadog",
		Severity: incident.SeverityCritical, EscalationPolicy: "T1", RecurrenceKey: "db-down",
		CreatedAt: at(-72 * time.Hour), AcknowledgedAt: at(-72*time.Hour + 2*time.Minute),
		ResolvedAt: at(-72*time.Hour + 30*time.Minute)}
	if a1 != want1 {
		t.Errorf("A1\n got %+v\nwant %+v", a1, want1)
	}
	if got := s.EngagementsOf("A1"); !reflect.DeepEqual(got, []string{"UANA:acknowledge", "UANA:resolve", "UBEN:acknowledge"}) {
		t.Errorf("A1 engagements %v", got)
	}
	if got := s.PagesOf("A1"); !reflect.DeepEqual(got, []string{"UANA:push@12:00:10", "UBEN:phone@12:00:10"}) {
		t.Errorf("A1 pages %v", got)
	}
	if got := s.EngagementsOf("A2"); !reflect.DeepEqual(got, []string{"UANA:action", "UBEN:acknowledge", "UBEN:note", "UBEN:resolve"}) {
		t.Errorf("A2 engagements %v", got)
	}
	if got := s.PagesOf("A2"); !reflect.DeepEqual(got, []string{"UANA:sms@12:00:05", "UBEN:sms@12:04:05"}) {
		t.Errorf("A2 pages %v", got)
	}
	// Closed by an integration: nobody engaged, never acknowledged.
	if got := s.EngagementsOf("A3"); len(got) != 0 {
		t.Errorf("A3 engagements %v", got)
	}
	if a3 := s.Incidents["A3"]; a3.Team != "Platform" || a3.Severity != incident.SeverityHigh || !a3.AcknowledgedAt.IsZero() ||
		a3.ResolvedAt != at(-30*time.Hour+20*time.Minute) || a3.RecurrenceKey != "" {
		t.Errorf("A3 %+v", a3)
	}
	if got := s.PagesOf("A4"); !reflect.DeepEqual(got, []string{"UANA:email@16:00:05"}) {
		t.Errorf("A4 pages %v", got)
	}
	if a4 := s.Incidents["A4"]; a4.Severity != incident.SeverityLow || len(s.EngagementsOf("A4")) != 0 {
		t.Errorf("A4 %+v %v", a4, s.EngagementsOf("A4"))
	}
	if got := s.PagesOf("A5"); !reflect.DeepEqual(got, []string{"UBEN:push@10:00:10", "UBEN:sms@10:00:40"}) {
		t.Errorf("A5 pages %v", got)
	}
	if a5 := s.Incidents["A5"]; !a5.ResolvedAt.IsZero() || a5.AcknowledgedAt != at(-2*time.Hour+90*time.Second) {
		t.Errorf("A5 %+v", a5)
	}
	// A recipient without a notification log line is one page, by its method.
	if got := s.PagesOf("A6"); !reflect.DeepEqual(got, []string{"UCAI:phone@02:01:00"}) {
		t.Errorf("A6 pages %v", got)
	}
	if got := s.EngagementsOf("A6"); !reflect.DeepEqual(got, []string{"UANA:note", "UCAI:acknowledge", "UCAI:resolve"}) {
		t.Errorf("A6 engagements %v", got)
	}
	// Shifts come clipped at the 30-day timeline chunks; together they cover each
	// period (within history) exactly.
	cover := map[string]time.Duration{}
	for _, sh := range s.Shifts {
		cover[sh.PersonID+"@"+sh.EscalationPolicy] += sh.End.Sub(sh.Start)
		if sh.PersonID == "UCAI" && (sh.Start.Before(at(-14*24*time.Hour)) || sh.End.After(at(-7*24*time.Hour))) {
			t.Errorf("shift %+v", sh)
		}
	}
	first := timelineChunks(at(-90*24*time.Hour), base)[0]
	anaSpan := at(7 * 24 * time.Hour).Sub(later(first, at(-100*24*time.Hour)))
	if want := map[string]time.Duration{"UANA@T1": anaSpan, "UBEN@T1": anaSpan, "UCAI@T2": 7 * 24 * time.Hour}; !reflect.DeepEqual(cover, want) {
		t.Errorf("shift coverage %v, want %v", cover, want)
	}
	var c cursor
	if err := json.Unmarshal([]byte(s.Cursor), &c); err != nil {
		t.Fatal(err)
	}
	if c.CompleteUntil != base || len(c.Known) != 1 || !c.Known["A5"].Open {
		t.Errorf("cursor %s", s.Cursor)
	}
	if st := h.Src.APIStats(); st.Requests["200"] == 0 || st.HasRateLimit {
		t.Errorf("stats %+v", st)
	}
}

func TestIncrementalFollowsChanges(t *testing.T) {
	h := newHarness(t, scenario, nil)
	if err := h.Sync(t); err != nil {
		t.Fatal(err)
	}
	h.Clock.Advance(10 * time.Minute)
	// A5 is closed by ben; a new alert A7 arrives and is acknowledged by ana.
	h.Fake.Update(func() {
		h.Fake.Close("A5", 2*time.Hour+5*time.Minute, "ben@example.com")
		h.Fake.AddAlert(ogfake.Alert{ID: "A7", Message: "New", Priority: "P1", Team: "T1", Integration: "Datadog", Created: at(3 * time.Minute)})
		h.Fake.Notify("A7", "UANA", "SMS", at(3*time.Minute+5*time.Second))
		h.Fake.Ack("A7", time.Minute, "ana@example.com")
	})
	h.Fake.ResetRequests()
	if err := h.Sync(t); err != nil {
		t.Fatal(err)
	}
	s := h.Sink
	if a5 := s.Incidents["A5"]; a5.ResolvedAt != at(5*time.Minute) || a5.AcknowledgedAt != at(-2*time.Hour+90*time.Second) {
		t.Errorf("A5 after close %+v", a5)
	}
	if got := s.EngagementsOf("A5"); !reflect.DeepEqual(got, []string{"UBEN:acknowledge", "UBEN:resolve"}) {
		t.Errorf("A5 engagements %v", got)
	}
	if a7, ok := s.Incidents["A7"]; !ok || a7.Severity != incident.SeverityCritical || len(s.PagesOf("A7")) != 1 {
		t.Errorf("A7 %+v", a7)
	}
	// window list + open list + A5 by id + details (logs, notes, recipients) of A5 and A7.
	reqs := h.Fake.Requests()
	t.Logf("incremental sync with one closed and one new alert: %d requests:\n%s", len(reqs), strings.Join(reqs, "\n"))
	if len(reqs) != 9 {
		t.Errorf("incremental sync took %d requests, want 9", len(reqs))
	}
	// A minute later the overlap lists A7 again, and A7 is still open, but nothing
	// changed: nothing is read in detail or written again.
	h.Clock.Advance(time.Minute)
	h.Fake.ResetRequests()
	writes := h.Sink.Writes
	if err := h.Sync(t); err != nil {
		t.Fatal(err)
	}
	if reqs := h.Fake.Requests(); len(reqs) != 2 {
		t.Errorf("sync after the changes took %d requests: %v", len(reqs), reqs)
	}
	if h.Sink.Writes != writes+1 {
		t.Errorf("%d writes", h.Sink.Writes-writes)
	}
}

// An alert routed to an escalation (not a team) is checked against the on-call of the
// escalation's first schedule; one routed to a schedule against that schedule's.
func TestOnCallKeyOfEscalationAndScheduleResponders(t *testing.T) {
	h := newHarness(t, func(f *ogfake.Server) {
		ogfake.Scenario(f, base)
		f.AddAlert(ogfake.Alert{ID: "A8", Message: "Routed to an escalation", Priority: "P3", Integration: "Datadog", Created: at(-time.Hour)})
		f.Route("A8", "escalation", "ESC1")
		f.AddAlert(ogfake.Alert{ID: "A9", Message: "Routed to a schedule", Priority: "P3", Integration: "Datadog", Created: at(-time.Hour)})
		f.Route("A9", "schedule", "S2")
	}, nil)
	if err := h.Sync(t); err != nil {
		t.Fatal(err)
	}
	if a8 := h.Sink.Incidents["A8"]; a8.EscalationPolicy != "T1" || a8.Team != "" {
		t.Errorf("A8 %+v", a8)
	}
	if a9 := h.Sink.Incidents["A9"]; a9.EscalationPolicy != "T2" || a9.Team != "" {
		t.Errorf("A9 %+v", a9)
	}
}

func TestRequestCounts(t *testing.T) {
	const n = 1000
	h := newHarness(t, bulk(n, 80*24*time.Hour), nil)
	if err := h.Sync(t); err != nil {
		t.Fatal(err)
	}
	if len(h.Sink.Incidents) != n || len(h.Sink.Pages) != n || len(h.Sink.Engagements) != 2*n {
		t.Fatalf("stored %d incidents, %d pages, %d engagements", len(h.Sink.Incidents), len(h.Sink.Pages), len(h.Sink.Engagements))
	}
	back := h.Fake.RequestCount()
	// users 1, teams 1+1, schedules 1, escalations 1, timeline chunks over 97 days (4
	// or 5), alerts 10 + open 1, then logs, notes and recipients of every alert.
	chunks := len(timelineChunks(at(-90*24*time.Hour), at(7*24*time.Hour)))
	want := 1 + 2 + 1 + 1 + chunks + n/100 + 1 + 3*n
	t.Logf("back-fill of %d alerts: %d requests (want %d)", n, back, want)
	if back != want {
		t.Errorf("back-fill took %d requests, want %d", back, want)
	}
	for range 3 {
		h.SyncAfter(t, time.Minute)
		idle := h.Fake.Requests()
		t.Logf("idle incremental sync: %d requests: %v", len(idle), idle)
		if len(idle) != 2 {
			t.Errorf("idle sync took %d requests: %v", len(idle), idle)
		}
	}
	h.SyncAfter(t, time.Hour)
	t.Logf("idle sync with reference refresh: %d requests: %v", h.Fake.RequestCount(), h.Fake.Requests())
	if n := h.Fake.RequestCount(); n > 2+5+2 {
		t.Errorf("refresh sync took %d requests", n)
	}
}

func TestDeepOffsetRestartsTheQuery(t *testing.T) {
	const n = 1000
	h := newHarness(t, bulk(n, 20*24*time.Hour), nil)
	h.Src.maxOffset = 300
	if err := h.Sync(t); err != nil {
		t.Fatal(err)
	}
	if len(h.Sink.Incidents) != n {
		t.Errorf("stored %d alerts, want %d", len(h.Sink.Incidents), n)
	}
	restarts := 0
	for _, r := range h.Fake.Requests() {
		if strings.HasPrefix(r, "GET /v2/alerts?") {
			if strings.Contains(r, "offset=300") || strings.Contains(r, "offset=400") {
				t.Errorf("went past the offset cap: %s", r)
			}
			if strings.Contains(r, "offset=0") {
				restarts++
			}
		}
	}
	if restarts < 4 {
		t.Errorf("expected keyset restarts, saw %d first pages", restarts)
	}
}

func TestRateLimited(t *testing.T) {
	for name, withHeaders := range map[string]bool{"X-RateLimit-Period-In-Sec": true, "no headers": false} {
		t.Run(name, func(t *testing.T) {
			h := newHarness(t, scenario, nil)
			h.Fake.SetFault(func(w http.ResponseWriter, r *http.Request, n int) bool {
				if n > 4 {
					return false
				}
				ogfake.Throttle(w, withHeaders)
				return true
			})
			if err := h.Sync(t); err != nil {
				t.Fatal(err)
			}
			if len(h.Sink.Incidents) != 6 {
				t.Errorf("incidents %d", len(h.Sink.Incidents))
			}
			if st := h.Src.APIStats(); st.Requests["429"] != 4 {
				t.Errorf("stats %+v", st)
			}
			slept := h.Clock.Slept()
			if withHeaders && slept < 4*15*time.Second || !withHeaders && (slept < 7*time.Second || slept > time.Minute) {
				t.Errorf("slept %v", slept)
			}
		})
	}
	t.Run("endless", func(t *testing.T) {
		h := newHarness(t, scenario, nil)
		h.Fake.SetFault(sourcetest.Always(func(w http.ResponseWriter) { ogfake.Throttle(w, true) }))
		err := h.Sync(t)
		if err == nil || !strings.Contains(err.Error(), "GET /v2/users") || !strings.Contains(err.Error(), "HTTP 429") ||
			!strings.Contains(err.Error(), "too many requests") {
			t.Fatalf("err = %v", err)
		}
	})
}

func TestServerErrorsThenSuccess(t *testing.T) {
	h := newHarness(t, scenario, nil)
	logsSeen := 0
	h.Fake.SetFault(func(w http.ResponseWriter, r *http.Request, n int) bool {
		if !strings.HasSuffix(r.URL.Path, "/logs") {
			return false
		}
		if logsSeen++; logsSeen%2 == 1 {
			w.WriteHeader(http.StatusServiceUnavailable)
			_, _ = w.Write([]byte(`{"message":"Service unavailable","took":0.0,"requestId":"x"}`))
			return true
		}
		return false
	})
	if err := h.Sync(t); err != nil {
		t.Fatal(err)
	}
	if st := h.Src.APIStats(); st.Requests["503"] == 0 || len(h.Sink.Pages) != 9 {
		t.Errorf("stats %+v, pages %d", st, len(h.Sink.Pages))
	}
}

func TestTimeoutIsRetried(t *testing.T) {
	h := newHarness(t, scenario, func(c *Config) { c.Timeout = 250 * time.Millisecond })
	h.Fake.SetFault(sourcetest.HangOnce(t, sourcetest.Path("/v2/alerts")))
	if err := h.Sync(t); err != nil {
		t.Fatal(err)
	}
	if st := h.Src.APIStats(); st.Requests["error"] < 1 || len(h.Sink.Incidents) != 6 {
		t.Errorf("stats %+v incidents %d", st, len(h.Sink.Incidents))
	}
}

// A broken response fails the sync with an error naming the endpoint; what an earlier
// sync stored stays, and the cursor does not move.
func TestBrokenResponsesFailTheSyncAndKeepData(t *testing.T) {
	cases := map[string]struct {
		path, body, ct, want string
	}{
		"malformed json": {"/v2/alerts", `{"data": [{"id": "A1", "createdAt": `, "application/json", "GET /v2/alerts: HTTP 200: malformed JSON"},
		"html page":      {"/v2/alerts", "<html><body><h1>502 Bad Gateway</h1></body></html>", "text/html", "GET /v2/alerts: HTTP 200: response is not JSON"},
		"missing field": {"/v2/alerts", `{"data":[{"id":"A9","status":"open"}],"took":0.1,"requestId":"r"}`, "application/json",
			"GET /v2/alerts: HTTP 200: unexpected response shape: data[0]: alert A9: missing field createdAt"},
		"wrong type": {"/v2/alerts", `{"data":[{"id":"A9","status":"open","createdAt":"2026-11-20T12:00:30Z","report":{"ackTime":"soon"}}],"took":0.1,"requestId":"r"}`,
			"application/json", "GET /v2/alerts: HTTP 200: malformed JSON"},
		"missing envelope": {"/v2/alerts", `{"data":[]}`, "application/json", "GET /v2/alerts: HTTP 200: unexpected response shape: missing field requestId or took"},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			h := newHarness(t, scenario, nil)
			if err := h.Sync(t); err != nil {
				t.Fatal(err)
			}
			before := h.Sink.Cursor
			stored := len(h.Sink.Incidents)
			h.Clock.Advance(time.Minute)
			h.Fake.SetFault(sourcetest.Respond(sourcetest.Path(tc.path), tc.ct, tc.body))
			err := h.Sync(t)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v\nwant %q", err, tc.want)
			}
			if h.Sink.Cursor != before || len(h.Sink.Incidents) != stored {
				t.Errorf("stored state changed: %d incidents", len(h.Sink.Incidents))
			}
		})
	}
}

func TestAlertDeletedWhileReadIsSkipped(t *testing.T) {
	h := newHarness(t, scenario, nil)
	h.Fake.SetFault(func(w http.ResponseWriter, r *http.Request, n int) bool {
		if r.URL.Path == "/v2/alerts/A3/logs" {
			ogfake.APIError(w, http.StatusNotFound, "Alert with id [A3] does not exist.")
			return true
		}
		return false
	})
	if err := h.Sync(t); err != nil {
		t.Fatal(err)
	}
	if _, ok := h.Sink.Incidents["A3"]; ok || len(h.Sink.Incidents) != 5 {
		t.Errorf("stored %d alerts, A3 among them: %v", len(h.Sink.Incidents), ok)
	}
}

func TestForeignPagingLinkIsRefused(t *testing.T) {
	h := newHarness(t, scenario, nil)
	h.Fake.SetFault(func(w http.ResponseWriter, r *http.Request, n int) bool {
		if r.URL.Path != "/v2/users" {
			return false
		}
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("X-Paging-Next", "https://collector.example.net/v2/users?offset=100")
		_, _ = w.Write([]byte(`{"data":[{"id":"UANA","username":"ana@example.com"}],"took":0.1,"requestId":"r"}`))
		return true
	})
	err := h.Sync(t)
	if err == nil || !strings.Contains(err.Error(), "GET /v2/users: bad paging link") {
		t.Fatalf("err = %v", err)
	}
	for _, r := range h.Fake.Requests() {
		if strings.Contains(r, "collector") {
			t.Errorf("followed a foreign link: %s", r)
		}
	}
}

func TestTokenNeverLoggedOrInErrors(t *testing.T) {
	h := newHarness(t, scenario, func(c *Config) { c.Token = "wrong-" + testToken })
	err := h.Src.Sync(t.Context(), "", h.Sink)
	sourcetest.RejectedToken(t, err, h.Logs, testToken, "/v2/users", "HTTP 401", "Could not authenticate")
}

func TestSeverityMapping(t *testing.T) {
	for p, want := range map[string]incident.Severity{"P1": incident.SeverityCritical, "P2": incident.SeverityHigh,
		"P3": incident.SeverityLow, "p4": incident.SeverityLow, "P5": incident.SeverityLow, "": incident.SeverityUnknown, "P9": incident.SeverityUnknown} {
		if got := severity(p); got != want {
			t.Errorf("severity(%q) = %s, want %s", p, got, want)
		}
	}
}

func TestNewValidates(t *testing.T) {
	if _, err := New(Config{SourceConfig: httpapi.SourceConfig{Name: "og"}}, nil); err == nil {
		t.Error("empty token accepted")
	}
	if _, err := New(Config{SourceConfig: httpapi.SourceConfig{Name: "og", Token: "x", DefaultTimezone: "Mars/Base"}}, nil); err == nil {
		t.Error("bad time zone accepted")
	}
	s, err := New(Config{SourceConfig: httpapi.SourceConfig{Name: "og", Token: "x"}}, nil)
	if err != nil || s.cfg.BaseURL != DefaultBaseURL || s.cfg.History != httpapi.DefaultHistory || s.Type() != "opsgenie" {
		t.Errorf("defaults: %+v %v", s, err)
	}
	if s, err := New(Config{SourceConfig: httpapi.SourceConfig{Name: "og", Token: "x", BaseURL: EUBaseURL}}, nil); err != nil || s.cfg.BaseURL != "https://api.eu.opsgenie.com" {
		t.Errorf("EU: %v", err)
	}
}

func TestHistoryBoundsTheBackfillAndBadCursorRestartsIt(t *testing.T) {
	h := newHarness(t, bulk(120, 120*24*time.Hour), func(c *Config) { c.History = 30 * 24 * time.Hour })
	if err := h.Src.Sync(t.Context(), `{"v":1,"complete_until":"garbage"`, h.Sink); err != nil {
		t.Fatal(err)
	}
	if n := len(h.Sink.Incidents); n != 30 {
		t.Errorf("back-filled %d alerts, want 30", n)
	}
	for _, in := range h.Sink.Incidents {
		if in.CreatedAt.Before(at(-30 * 24 * time.Hour)) {
			t.Errorf("alert %s from %v is older than history", in.ID, in.CreatedAt)
		}
	}
	if !strings.Contains(h.Logs.String(), "unreadable sync cursor") {
		t.Error("a bad cursor was not reported")
	}
}

// Without an enabled schedule there are no shifts: the source then claims no on-call
// data, so off-rotation is absent rather than "everyone off-rotation".
func TestNoScheduleMeansNoOnCallCapability(t *testing.T) {
	h := newHarness(t, func(f *ogfake.Server) {
		f.AddUser("UANA", "ana@example.com", "Ana Lima", "Europe/Berlin")
		f.AddTeam("T1", "Payments", "UANA")
		f.AddAlert(ogfake.Alert{ID: "A1", Message: "x", Priority: "P1", Team: "T1", Integration: "Datadog", Created: at(-time.Hour),
			AckAfter: time.Minute, AckBy: "ana@example.com"})
	}, nil)
	if err := h.Sync(t); err != nil {
		t.Fatal(err)
	}
	if c := h.Src.Capabilities(); c.OnCall || !c.Pages || !c.Engagements || !c.People {
		t.Errorf("capabilities %+v", c)
	}
	full := newHarness(t, scenario, nil)
	if err := full.Sync(t); err != nil {
		t.Fatal(err)
	}
	if c := full.Src.Capabilities(); !c.OnCall {
		t.Errorf("capabilities with schedules %+v", c)
	}
}

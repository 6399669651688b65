package pagerduty

import (
	"encoding/json"
	"net/http"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/hero-exporter/hero_exporter/internal/incident"
	"github.com/hero-exporter/hero_exporter/internal/source/httpapi"
	"github.com/hero-exporter/hero_exporter/internal/source/pagerduty/pdfake"
	"github.com/hero-exporter/hero_exporter/internal/source/sourcetest"
)

func TestBackfillMapping(t *testing.T) {
	h := newHarness(t, scenario, nil)
	if err := h.Sync(t); err != nil {
		t.Fatal(err)
	}
	s := h.Sink

	// People: a null time zone takes the configured default (the account zone).
	if got := s.People["PCAI"].TimeZone; got != "Europe/London" {
		t.Errorf("null time zone → %q", got)
	}
	if got := s.People["PANA"]; got.TimeZone != "Europe/Berlin" || got.Email != "ana@example.com" || got.Source != "pd" {
		t.Errorf("ana = %+v", got)
	}
	if got := s.Teams["Payments"].Members; !reflect.DeepEqual(got, []string{"PANA", "PBEN"}) {
		t.Errorf("Payments members %v", got)
	}

	i1 := s.Incidents["PI1"]
	want1 := incident.Incident{Source: "pd", ID: "PI1", Title: "DB down", Team: "Payments", Service: "checkout",
		Severity: incident.SeverityCritical, EscalationPolicy: "PEP1", RecurrenceKey: "db-down",
		CreatedAt: at(-72 * time.Hour), AcknowledgedAt: at(-72*time.Hour + 2*time.Minute),
		ResolvedAt: at(-72*time.Hour + 30*time.Minute)}
	if i1 != want1 {
		t.Errorf("PI1\n got %+v\nwant %+v", i1, want1)
	}
	// Acknowledged by two people: both engaged; the first acknowledgement counts for MTTA.
	if got := s.EngagementsOf("PI1"); !reflect.DeepEqual(got, []string{"PANA:acknowledge", "PANA:resolve", "PBEN:acknowledge"}) {
		t.Errorf("PI1 engagements %v", got)
	}
	// Reassigned: ana (who reassigned) acted; ben was paged, acknowledged and resolved.
	if got := s.EngagementsOf("PI2"); !reflect.DeepEqual(got, []string{"PANA:action", "PBEN:acknowledge", "PBEN:resolve"}) {
		t.Errorf("PI2 engagements %v", got)
	}
	if got := s.PagesOf("PI2"); !reflect.DeepEqual(got, []string{"PANA:push@12:00:05", "PBEN:sms@12:04:05"}) {
		t.Errorf("PI2 pages %v", got)
	}
	if i2 := s.Incidents["PI2"]; i2.Severity != incident.SeverityLow || i2.AcknowledgedAt != at(-48*time.Hour+6*time.Minute) {
		t.Errorf("PI2 %+v", i2)
	}
	// Resolved by an integration: no person engaged; team through the escalation policy.
	if got := s.EngagementsOf("PI3"); len(got) != 0 {
		t.Errorf("PI3 engagements %v", got)
	}
	if i3 := s.Incidents["PI3"]; i3.Team != "Platform" || i3.Severity != incident.SeverityLow || !i3.AcknowledgedAt.IsZero() ||
		i3.ResolvedAt != at(-30*time.Hour+20*time.Minute) {
		t.Errorf("PI3 %+v", i3)
	}
	// Email only: stored as a page with channel email (the analytics exclude it).
	if got := s.PagesOf("PI4"); !reflect.DeepEqual(got, []string{"PANA:email@16:00:05"}) {
		t.Errorf("PI4 pages %v", got)
	}
	// 30 s apart: both raw notifications stored; the 60 s de-duplication is the analytics'.
	if got := s.PagesOf("PI5"); !reflect.DeepEqual(got, []string{"PBEN:push@10:00:10", "PBEN:sms@10:00:40"}) {
		t.Errorf("PI5 pages %v", got)
	}
	if i5 := s.Incidents["PI5"]; !i5.ResolvedAt.IsZero() || i5.Severity != incident.SeverityHigh ||
		i5.AcknowledgedAt != at(-2*time.Hour+90*time.Second) {
		t.Errorf("PI5 %+v", i5)
	}
	// Responder request accepted, a note, a manual escalation.
	if got := s.EngagementsOf("PI6"); !reflect.DeepEqual(got, []string{"PANA:action", "PANA:resolve", "PCAI:accept", "PCAI:note"}) {
		t.Errorf("PI6 engagements %v", got)
	}
	if len(s.Shifts) != 3 {
		t.Errorf("shifts %v", s.Shifts)
	}
	for _, sh := range s.Shifts {
		if sh.PersonID == "PANA" && (sh.EscalationPolicy != "PEP1" || sh.Level != 1 || sh.Start != at(-100*24*time.Hour)) {
			t.Errorf("shift %+v", sh)
		}
	}
	var c cursor
	if err := json.Unmarshal([]byte(s.Cursor), &c); err != nil {
		t.Fatal(err)
	}
	if c.CompleteUntil != base || len(c.Open) != 1 || c.Open["PI5"].Ack != at(-2*time.Hour+90*time.Second) {
		t.Errorf("cursor %s", s.Cursor)
	}
	if st := h.Src.APIStats(); st.Requests["200"] == 0 || !st.HasRateLimit || st.RateLimitRemaining != 900 {
		t.Errorf("stats %+v", st)
	}
}

func TestIncrementalKeepsOpenIncidentsCurrent(t *testing.T) {
	h := newHarness(t, scenario, nil)
	if err := h.Sync(t); err != nil {
		t.Fatal(err)
	}
	// PI5 resolves (its acknowledgements[] is emptied, as PagerDuty does); a new
	// incident PI7 arrives; resolved PI1 gets a late note.
	h.Clock.Advance(10 * time.Minute)
	h.Fake.Resolve("PI5", at(5*time.Minute))
	h.Fake.AddLog("L5r", "resolve_log_entry", "PI5", at(5*time.Minute), "PBEN", nil)
	h.Fake.AddIncident(pdfake.Incident{ID: "PI7", Title: "New", Service: "PS1", Policy: "PEP1",
		Status: "triggered", Urgency: "high", Teams: []string{"PT1"}, Created: at(3 * time.Minute)})
	h.Fake.AddLog("L7t", "trigger_log_entry", "PI7", at(3*time.Minute), "svc:PS1", nil)
	h.Fake.Notify("L7n", "PI7", "PANA", "sms", at(3*time.Minute+5*time.Second))
	in1 := h.Fake.Incident("PI1")
	in1["priority"] = obj{"id": "PPRIP2", "type": "priority", "summary": "P2", "name": "P2"}
	h.Fake.AddLog("L1late", "annotate_log_entry", "PI1", at(4*time.Minute), "PBEN", nil)

	h.Fake.ResetRequests()
	if err := h.Sync(t); err != nil {
		t.Fatal(err)
	}
	s := h.Sink
	if i5 := s.Incidents["PI5"]; i5.ResolvedAt != at(5*time.Minute) || i5.AcknowledgedAt != at(-2*time.Hour+90*time.Second) {
		t.Errorf("PI5 after resolve %+v", i5)
	}
	if i7, ok := s.Incidents["PI7"]; !ok || !i7.ResolvedAt.IsZero() || len(s.PagesOf("PI7")) != 1 {
		t.Errorf("PI7 %+v", i7)
	}
	// Changed after resolving: re-synced with its first acknowledgement intact.
	if i1 := s.Incidents["PI1"]; i1.Severity != incident.SeverityHigh || i1.AcknowledgedAt != at(-72*time.Hour+2*time.Minute) {
		t.Errorf("PI1 after change %+v", i1)
	}
	if got := s.EngagementsOf("PI1"); len(got) != 4 {
		t.Errorf("PI1 engagements %v", got)
	}
	t.Logf("incremental sync with 3 changed incidents: %d requests: %s", h.Fake.RequestCount(), strings.Join(h.Fake.Requests(), "\n"))
	if n := h.Fake.RequestCount(); n > 8 {
		t.Errorf("incremental sync took %d requests", n)
	}
}

func ceilDiv(a, b int) int { return (a + b - 1) / b }

func TestRequestCounts(t *testing.T) {
	const n, per = 1000, 6
	h := newHarness(t, bulk(n, per, 80*24*time.Hour), nil)
	if err := h.Sync(t); err != nil {
		t.Fatal(err)
	}
	if len(h.Sink.Incidents) != n || len(h.Sink.Pages) != n*(per-2) || len(h.Sink.Changes) != n/4 {
		t.Fatalf("stored %d incidents, %d pages, %d changes", len(h.Sink.Incidents), len(h.Sink.Pages), len(h.Sink.Changes))
	}
	back := h.Fake.RequestCount()
	// The change feed: 250 changes, 100 a page.
	if got := countPrefix(h.Fake.Requests(), "GET /change_events?"); got != 3 {
		t.Errorf("back-fill read the change feed with %d requests, want 3", got)
	}
	bound := ceilDiv(n, 100) + ceilDiv(n*per, 100) + ceilDiv(n/4, 100) + 8
	t.Logf("back-fill of %d incidents with %d log entries: %d requests (bound %d)", n, n*per, back, bound)
	if back > bound {
		t.Errorf("back-fill took %d requests, want ≤ %d:\n%s", back, bound, strings.Join(h.Fake.Requests(), "\n"))
	}
	for range 3 {
		h.SyncAfter(t, time.Minute)
		if got := countPrefix(h.Fake.Requests(), "GET /change_events?"); got != 1 {
			t.Errorf("idle sync read the change feed with %d requests, want 1", got)
		}
		idle := h.Fake.RequestCount()
		t.Logf("idle incremental sync: %d requests: %v", idle, h.Fake.Requests())
		if idle > 5 {
			t.Errorf("idle sync took %d requests: %v", idle, h.Fake.Requests())
		}
	}
	// After the reference interval, users/teams/services/policies are read again.
	h.SyncAfter(t, time.Hour)
	t.Logf("idle sync with reference refresh: %d requests", h.Fake.RequestCount())
	if n := h.Fake.RequestCount(); n > 10 {
		t.Errorf("refresh sync took %d requests", n)
	}
}

func TestIncidentWithLaggingLogEntriesIsNotMissed(t *testing.T) {
	h := newHarness(t, scenario, nil)
	if err := h.Sync(t); err != nil {
		t.Fatal(err)
	}
	h.Clock.Advance(time.Minute)
	h.Fake.AddIncident(pdfake.Incident{ID: "PI8", Title: "Quiet", Service: "PS1", Policy: "PEP1",
		Status: "resolved", Urgency: "low", Created: at(10 * time.Second), Resolved: at(20 * time.Second)})
	if err := h.Sync(t); err != nil {
		t.Fatal(err)
	}
	if i8, ok := h.Sink.Incidents["PI8"]; !ok || i8.Team != "Payments" || i8.ResolvedAt != at(20*time.Second) {
		t.Errorf("PI8 = %+v, %v", i8, ok)
	}
}

func TestOffsetCapSplitsRanges(t *testing.T) {
	// 2,600 incidents × 4 log entries = 10,400 log entries in one day: more than offset
	// pagination reaches in one range.
	const n, per = 2600, 4
	h := newHarness(t, bulk(n, per, 24*time.Hour), nil)
	if err := h.Sync(t); err != nil {
		t.Fatal(err)
	}
	if got := len(h.Sink.Pages) + len(h.Sink.Engagements); got != n*(per-1) {
		t.Errorf("stored %d pages+engagements, want %d", got, n*(per-1))
	}
	if len(h.Sink.Incidents) != n {
		t.Errorf("stored %d incidents", len(h.Sink.Incidents))
	}
	if h.Fake.MaxOffsetSeen() > 10000 {
		t.Errorf("asked for offset+limit %d", h.Fake.MaxOffsetSeen())
	}
	req := h.Fake.RequestCount()
	t.Logf("split back-fill: %d requests for %d log entries", req, n*per)
	byPath := map[string]int{}
	for _, r := range h.Fake.Requests() {
		byPath[strings.SplitN(r, "?", 2)[0]]++
	}
	t.Logf("by path: %v", byPath)
	// Each halving costs at most two extra requests (the oversized first page and the
	// empty half); 90 days down to one busy day is about seven halvings.
	if req > ceilDiv(n, 100)+ceilDiv(n*per, 100)+ceilDiv(n/4, 100)+8+2*8 {
		t.Errorf("too many requests: %d", req)
	}
}

func TestRateLimitStorms(t *testing.T) {
	for name, hdr := range map[string]map[string]string{
		"ratelimit-reset": {"ratelimit-reset": "20"},
		"retry-after":     {"Retry-After": "15"},
		"no headers":      nil,
	} {
		t.Run(name, func(t *testing.T) {
			h := newHarness(t, scenario, nil)
			h.Fake.SetFault(sourcetest.Storm(4, hdr, func(w http.ResponseWriter) {
				pdfake.APIError(w, http.StatusTooManyRequests, 2020, "Rate Limit Exceeded")
			}))
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
			if hdr != nil && slept < 4*15*time.Second || hdr == nil && slept < 7*time.Second {
				t.Errorf("slept only %v", slept)
			}
		})
	}
	t.Run("endless", func(t *testing.T) {
		h := newHarness(t, scenario, nil)
		h.Fake.SetFault(sourcetest.Always(func(w http.ResponseWriter) {
			pdfake.APIError(w, http.StatusTooManyRequests, 2020, "Rate Limit Exceeded")
		}))
		err := h.Sync(t)
		if err == nil || !strings.Contains(err.Error(), "GET /users") || !strings.Contains(err.Error(), "HTTP 429") {
			t.Fatalf("err = %v", err)
		}
	})
}

func TestServerErrorsThenSuccess(t *testing.T) {
	h := newHarness(t, scenario, nil)
	h.Fake.SetFault(func(w http.ResponseWriter, r *http.Request, n int) bool {
		if r.URL.Path == "/log_entries" && n < 12 {
			w.WriteHeader(http.StatusInternalServerError)
			_, _ = w.Write([]byte(`{"error":{"code":5000,"message":"Internal error"}}`))
			return true
		}
		return false
	})
	if err := h.Sync(t); err != nil {
		t.Fatal(err)
	}
	if st := h.Src.APIStats(); st.Requests["500"] == 0 || len(h.Sink.Pages) != 8 {
		t.Errorf("stats %+v, pages %d", st, len(h.Sink.Pages))
	}
}

func TestTimeoutIsRetried(t *testing.T) {
	h := newHarness(t, scenario, func(c *Config) { c.Timeout = 100 * time.Millisecond })
	h.Fake.SetFault(sourcetest.HangOnce(t, sourcetest.Path("/incidents")))
	if err := h.Sync(t); err != nil {
		t.Fatal(err)
	}
	if st := h.Src.APIStats(); st.Requests["error"] != 1 || len(h.Sink.Incidents) != 6 {
		t.Errorf("stats %+v incidents %d", st, len(h.Sink.Incidents))
	}
}

// A broken response fails the sync with an error naming the endpoint; what an earlier
// sync stored stays, and the cursor does not move.
func TestBrokenResponsesFailTheSyncAndKeepData(t *testing.T) {
	cases := map[string]struct {
		path string
		body string
		ct   string
		want string
	}{
		"malformed json": {"/incidents", `{"incidents": [{"id": "PI1", "created_at": `, "application/json", "GET /incidents: HTTP 200: malformed JSON"},
		"html page":      {"/log_entries", "<!DOCTYPE html><html><body><h1>502 Bad Gateway</h1></body></html>", "text/html", "GET /log_entries: HTTP 200: response is not JSON"},
		"missing field": {"/log_entries", `{"log_entries":[{"id":"LX","type":"notify_log_entry","incident":{"id":"PI1","type":"incident_reference"},"user":{"id":"PANA","type":"user_reference"}}],"limit":100,"offset":0,"more":false,"total":1}`,
			"application/json", "GET /log_entries: HTTP 200: unexpected response shape: log_entries[0]: log entry LX: missing field created_at"},
		"wrong type": {"/oncalls", `{"oncalls":[{"user":{"id":"PANA"},"escalation_policy":{"id":"PEP1"},"escalation_level":"one"}],"limit":100,"offset":0,"more":false}`,
			"application/json", "GET /oncalls: HTTP 200: malformed JSON"},
		"missing list": {"/incidents", `{"limit":100,"offset":0,"more":false,"total":null}`, "application/json", "GET /incidents: HTTP 200: unexpected response shape: missing field incidents"},
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
			h.Fake.AddLog("L1late", "annotate_log_entry", "PI1", at(30*time.Second), "PBEN", nil)
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

func TestTokenNeverLoggedOrInErrors(t *testing.T) {
	h := newHarness(t, scenario, func(c *Config) { c.Token = "wrong-" + testToken })
	err := h.Src.Sync(t.Context(), "", h.Sink)
	sourcetest.RejectedToken(t, err, h.Logs, testToken, "/users", "HTTP 401", "Authentication failed")
}

func TestSeverityMapping(t *testing.T) {
	for _, tc := range []struct {
		prio, urg string
		want      incident.Severity
	}{
		{"P1", "high", incident.SeverityCritical}, {"SEV-2", "low", incident.SeverityHigh},
		{"P4", "high", incident.SeverityLow}, {"Critical", "", incident.SeverityCritical},
		{"", "high", incident.SeverityHigh}, {"", "low", incident.SeverityLow},
		{"Whatever", "", incident.SeverityUnknown}, {"", "", incident.SeverityUnknown},
	} {
		in := &pdIncident{Urgency: tc.urg}
		if tc.prio != "" {
			in.Priority = &ref{Summary: tc.prio}
		}
		if got := severity(in); got != tc.want {
			t.Errorf("severity(%q, %q) = %s, want %s", tc.prio, tc.urg, got, tc.want)
		}
	}
}

func TestNewValidates(t *testing.T) {
	if _, err := New(Config{SourceConfig: httpapi.SourceConfig{Name: "pd"}}, nil); err == nil {
		t.Error("empty token accepted")
	}
	if _, err := New(Config{SourceConfig: httpapi.SourceConfig{Name: "pd", Token: "x", DefaultTimezone: "Mars/Base"}}, nil); err == nil {
		t.Error("bad time zone accepted")
	}
	s, err := New(Config{SourceConfig: httpapi.SourceConfig{Name: "pd", Token: "x"}}, nil)
	if err != nil || s.cfg.BaseURL != DefaultBaseURL || s.cfg.History != httpapi.DefaultHistory || s.Type() != "pagerduty" {
		t.Errorf("defaults: %+v %v", s, err)
	}
}

func TestHistoryBoundsTheBackfillAndBadCursorRestartsIt(t *testing.T) {
	h := newHarness(t, bulk(120, 3, 120*24*time.Hour), func(c *Config) { c.History = 30 * 24 * time.Hour })
	if err := h.Src.Sync(t.Context(), `{"v":1,"complete_until":"garbage"`, h.Sink); err != nil {
		t.Fatal(err)
	}
	// One incident a day over 120 days: the last 30 days are back-filled.
	if n := len(h.Sink.Incidents); n != 30 {
		t.Errorf("back-filled %d incidents, want 30", n)
	}
	for _, in := range h.Sink.Incidents {
		if in.CreatedAt.Before(at(-30 * 24 * time.Hour)) {
			t.Errorf("incident %s from %v is older than history", in.ID, in.CreatedAt)
		}
	}
	if !strings.Contains(h.Logs.String(), "unreadable sync cursor") {
		t.Error("a bad cursor was not reported")
	}
}

// Change events: mapped per service with the service's name and team, the kind from
// custom_details or the summary; read incrementally over the log-entry window.
func TestChangeEvents(t *testing.T) {
	h := newHarness(t, scenario, nil)
	if err := h.Sync(t); err != nil {
		t.Fatal(err)
	}
	c1, c6 := at(-72*time.Hour), at(-10*time.Hour)
	want := map[string]incident.Change{
		"PC1":     {Source: "pd", ID: "PC1", Team: "Payments", Service: "checkout", Kind: "deploy", Time: c1.Add(-10 * time.Minute)},
		"PC2":     {Source: "pd", ID: "PC2", Team: "Payments", Service: "checkout", Kind: "rollback", Time: c1.Add(20 * time.Minute)},
		"PC3/PS1": {Source: "pd", ID: "PC3/PS1", Team: "Payments", Service: "checkout", Kind: "other", Time: c6.Add(-30 * time.Minute)},
		"PC3/PS2": {Source: "pd", ID: "PC3/PS2", Team: "Platform", Service: "infra", Kind: "other", Time: c6.Add(-30 * time.Minute)},
		"PC4":     {Source: "pd", ID: "PC4", Kind: "config", Time: at(-time.Hour)},
	}
	if !reflect.DeepEqual(h.Sink.Changes, want) {
		t.Errorf("changes:\n got %+v\nwant %+v", h.Sink.Changes, want)
	}
	// Incremental: a new event is read with the window, the old ones are not asked for.
	h.Fake.Update(func() {
		h.Fake.AddChangeEvent("PC6", "Released checkout v2.4", at(30*time.Second), nil, "PS1")
	})
	h.Sink.Changes = map[string]incident.Change{}
	h.SyncAfter(t, time.Minute)
	if got := h.Sink.Changes; len(got) != 1 || got["PC6"].Kind != "deploy" || got["PC6"].Service != "checkout" {
		t.Errorf("incremental changes %+v", got)
	}
	for _, r := range h.Fake.Requests() {
		if strings.HasPrefix(r, "GET /change_events?") && !strings.Contains(r, "since=2026-11-20T11%3A55%3A00Z") {
			t.Errorf("change events not read from the cursor's window: %s", r)
		}
	}
	// A service name the reference data no longer has (an old cursor) falls back to
	// the summary, then the id.
	r := &run{s: h.Src, serviceTeam: map[string]string{}, serviceName: map[string]string{}}
	got := r.changes([]changeEvent{{ID: "X", Timestamp: &c1, Services: []ref{{ID: "PS9", Summary: "search"}, {ID: "PS8"}}}})
	if len(got) != 2 || got[0].Service != "PS8" || got[1].Service != "search" {
		t.Errorf("fallback names %+v", got)
	}
}

// A key that may not read change events (403) still syncs everything else.
func TestChangeEventsForbidden(t *testing.T) {
	h := newHarness(t, scenario, nil)
	h.Fake.SetFault(func(w http.ResponseWriter, r *http.Request, n int) bool {
		if r.URL.Path == "/change_events" {
			pdfake.APIError(w, http.StatusForbidden, 2010, "Access Denied")
			return true
		}
		return false
	})
	if err := h.Sync(t); err != nil {
		t.Fatal(err)
	}
	if len(h.Sink.Changes) != 0 || len(h.Sink.Incidents) != 6 || !strings.Contains(h.Logs.String(), "change events are not available") {
		t.Errorf("changes %d, incidents %d, logs %s", len(h.Sink.Changes), len(h.Sink.Incidents), h.Logs.String())
	}
}

func countPrefix(reqs []string, prefix string) int {
	n := 0
	for _, r := range reqs {
		if strings.HasPrefix(r, prefix) {
			n++
		}
	}
	return n
}

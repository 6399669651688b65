package firehydrant

import (
	"encoding/json"
	"net/http"
	"reflect"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hero-exporter/hero_exporter/internal/incident"
	"github.com/hero-exporter/hero_exporter/internal/source/firehydrant/fhfake"
	"github.com/hero-exporter/hero_exporter/internal/source/httpapi"
	"github.com/hero-exporter/hero_exporter/internal/source/sourcetest"
)

func TestBackfillMapping(t *testing.T) {
	h := newHarness(t, scenario, nil)
	if err := h.Sync(t); err != nil {
		t.Fatal(err)
	}
	s := h.Sink
	// No time zones in FireHydrant: every person takes the configured default.
	if got := s.People["u-cai"]; got.TimeZone != "Europe/London" || got.Name != "Cai Chen" || got.Email != "cai@example.com" || got.Source != "fh" {
		t.Errorf("cai = %+v", got)
	}
	if got := s.Teams["Payments"].Members; !reflect.DeepEqual(got, []string{"u-ana", "u-ben"}) {
		t.Errorf("Payments members %v", got)
	}
	t1 := at(-72 * time.Hour)
	want1 := incident.Incident{Source: "fh", ID: "F1", Title: "DB down", Team: "Payments", Service: "checkout",
		Severity: incident.SeverityCritical, CreatedAt: t1, AcknowledgedAt: t1.Add(3 * time.Minute), ResolvedAt: t1.Add(33 * time.Minute)}
	if got := s.Incidents["F1"]; got != want1 {
		t.Errorf("F1\n got %+v\nwant %+v", got, want1)
	}
	// Started and acknowledged by Ana, commander Ana; Ben's note and resolve. The bot's
	// note and close are no engagement; the chat message is not read.
	if got := s.EngagementsOf("F1"); !reflect.DeepEqual(got, []string{"u-ana:acknowledge", "u-ana:action", "u-ana:action", "u-ben:note", "u-ben:resolve"}) {
		t.Errorf("F1 engagements %v", got)
	}
	// Older milestone API: times from /milestones, no updated_by.
	t2 := at(-40 * time.Hour)
	if i2 := s.Incidents["F2"]; i2.Severity != incident.SeverityLow || i2.AcknowledgedAt != t2.Add(5*time.Minute) || i2.ResolvedAt != t2.Add(45*time.Minute) {
		t.Errorf("F2 %+v", i2)
	}
	if got := s.EngagementsOf("F2"); !reflect.DeepEqual(got, []string{"u-ana:action", "u-ben:action"}) {
		t.Errorf("F2 engagements %v", got)
	}
	// Acted through Slack: still a person.
	if got := s.EngagementsOf("F3"); !reflect.DeepEqual(got, []string{"u-cai:acknowledge", "u-cai:resolve"}) {
		t.Errorf("F3 engagements %v", got)
	}
	if i3 := s.Incidents["F3"]; i3.Severity != incident.SeverityHigh || i3.Service != "" || i3.Team != "Platform" {
		t.Errorf("F3 %+v", i3)
	}
	if i4 := s.Incidents["F4"]; !i4.ResolvedAt.IsZero() || i4.AcknowledgedAt != at(-2*time.Hour+4*time.Minute) || i4.Severity != incident.SeverityCritical {
		t.Errorf("F4 %+v", i4)
	}
	if got := s.EngagementsOf("F4"); !reflect.DeepEqual(got, []string{"u-ben:acknowledge"}) {
		t.Errorf("F4 engagements %v", got)
	}
	if _, ok := s.Incidents["F5"]; ok {
		t.Error("F5 (older than history) stored")
	}
	if len(s.Pages) != 0 || len(s.Shifts) != 0 {
		t.Errorf("pages %d shifts %d", len(s.Pages), len(s.Shifts))
	}
	if c := h.Src.Capabilities(); c != (incident.Capabilities{People: true, Engagements: true}) {
		t.Errorf("capabilities %+v", c)
	}
	var c cursor
	if err := json.Unmarshal([]byte(s.Cursor), &c); err != nil || c.CompleteUntil != base || len(c.Seen) != 4 {
		t.Errorf("cursor %s", s.Cursor)
	}
}

func TestIncrementalReadsOnlyChangedIncidents(t *testing.T) {
	h := newHarness(t, scenario, nil)
	if err := h.Sync(t); err != nil {
		t.Fatal(err)
	}
	h.Clock.Advance(10 * time.Minute)
	h.Fake.Update(func() {
		in := h.Fake.Incident("F4")
		in.Milestones = append(in.Milestones, fhfake.Milestone{ID: "m4r", Slug: "resolved", At: at(8 * time.Minute), By: fhfake.Ana()})
		in.Updated = at(8 * time.Minute)
	})
	h.Fake.AddIncident(fhfake.Incident{ID: "F7", Name: "New", Severity: "SEV2", Team: "t-plat", Created: at(7 * time.Minute),
		Milestones: []fhfake.Milestone{{ID: "m7s", Slug: "started", At: at(7 * time.Minute), By: fhfake.Cai()}}})
	h.Fake.ResetRequests()
	if err := h.Sync(t); err != nil {
		t.Fatal(err)
	}
	s := h.Sink
	if i4 := s.Incidents["F4"]; i4.ResolvedAt != at(8*time.Minute) || i4.AcknowledgedAt != at(-2*time.Hour+4*time.Minute) {
		t.Errorf("F4 after resolve %+v", i4)
	}
	if got := s.EngagementsOf("F4"); !reflect.DeepEqual(got, []string{"u-ana:resolve", "u-ben:acknowledge"}) {
		t.Errorf("F4 engagements %v", got)
	}
	if _, ok := s.Incidents["F7"]; !ok {
		t.Error("F7 missing")
	}
	// The incident list, then the events of the two changed incidents, and the change
	// events.
	t.Logf("incremental sync: %d requests: %s", h.Fake.RequestCount(), strings.Join(h.Fake.Requests(), "\n"))
	if n := h.Fake.RequestCount(); n != 4 {
		t.Errorf("incremental sync took %d requests", n)
	}
	// One minute later both are still in the 5-minute overlap, unchanged: the lists only.
	h.SyncAfter(t, time.Minute)
	if n := h.Fake.RequestCount(); n != 2 {
		t.Errorf("sync over the unchanged overlap took %d requests: %v", n, h.Fake.Requests())
	}
	// A note on F7 inside the overlap changes its JSON (last update): read again.
	h.Clock.Advance(time.Minute)
	h.Fake.Update(func() {
		in := h.Fake.Incident("F7")
		in.Events = append(in.Events, fhfake.Event{ID: "ev7", Type: "note", At: at(11 * time.Minute), By: fhfake.Cai()})
		in.Updated = at(11 * time.Minute)
	})
	h.Fake.ResetRequests()
	if err := h.Sync(t); err != nil {
		t.Fatal(err)
	}
	if n := h.Fake.RequestCount(); n != 3 || !reflect.DeepEqual(s.EngagementsOf("F7"), []string{"u-cai:action", "u-cai:note"}) {
		t.Errorf("sync after a note: %d requests, F7 engagements %v", n, s.EngagementsOf("F7"))
	}
}

// An incident deleted between the list and its timeline (404) is left out of the sync;
// the rest is stored and the sync succeeds.
func TestIncidentDeletedWhileSyncingIsSkipped(t *testing.T) {
	h := newHarness(t, scenario, nil)
	h.Fake.SetFault(func(w http.ResponseWriter, r *http.Request, n int) bool {
		if r.URL.Path == "/v1/incidents/F3/events" {
			fhfake.APIError(w, http.StatusNotFound, "not_found", "Record not found")
			return true
		}
		return false
	})
	if err := h.Sync(t); err != nil {
		t.Fatal(err)
	}
	if _, ok := h.Sink.Incidents["F3"]; ok || len(h.Sink.Incidents) != 3 {
		t.Errorf("incidents %d, F3 stored %v", len(h.Sink.Incidents), ok)
	}
	if !strings.Contains(h.Logs.String(), "no longer found") {
		t.Error("the skip was not logged")
	}
}

func ceilDiv(a, b int) int { return (a + b - 1) / b }

func TestRequestCounts(t *testing.T) {
	const n = 1000
	h := newHarness(t, bulk(n, 80*24*time.Hour), nil)
	if err := h.Sync(t); err != nil {
		t.Fatal(err)
	}
	if len(h.Sink.Incidents) != n || len(h.Sink.Engagements) != 4*n || len(h.Sink.Changes) != n/4 {
		t.Fatalf("stored %d incidents, %d engagements, %d changes", len(h.Sink.Incidents), len(h.Sink.Engagements), len(h.Sink.Changes))
	}
	back := h.Fake.RequestCount()
	// The change feed: 250 changes, 100 a page.
	if got := countPrefix(h.Fake.Requests(), "GET /v1/changes/events?"); got != 3 {
		t.Errorf("back-fill read the change feed with %d requests, want 3", got)
	}
	// incidents (100 a page) + one events request per incident + change events (100 a
	// page) + users, teams.
	bound := ceilDiv(n, perPage) + n + ceilDiv(n/4, perPage) + 2
	t.Logf("back-fill of %d incidents: %d requests (bound %d)", n, back, bound)
	if back > bound {
		t.Errorf("back-fill took %d requests, want ≤ %d", back, bound)
	}
	for range 3 {
		h.SyncAfter(t, time.Minute)
		if got := countPrefix(h.Fake.Requests(), "GET /v1/changes/events?"); got != 1 {
			t.Errorf("idle sync read the change feed with %d requests, want 1", got)
		}
		if idle := h.Fake.RequestCount(); idle != 2 {
			t.Errorf("idle sync took %d requests: %v", idle, h.Fake.Requests())
		}
	}
	h.SyncAfter(t, time.Hour)
	t.Logf("idle sync with reference refresh: %d requests", h.Fake.RequestCount())
	if n := h.Fake.RequestCount(); n != 4 {
		t.Errorf("refresh sync took %d requests", n)
	}
}

func TestRateLimitStorms(t *testing.T) {
	for name, hdr := range map[string]map[string]string{
		"retry-after": {"Retry-After": "15"},
		"no headers":  nil,
	} {
		t.Run(name, func(t *testing.T) {
			h := newHarness(t, scenario, nil)
			h.Fake.SetFault(sourcetest.Storm(4, hdr, fhfake.RateLimited))
			if err := h.Sync(t); err != nil {
				t.Fatal(err)
			}
			if len(h.Sink.Incidents) != 4 {
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
		h.Fake.SetFault(sourcetest.Always(fhfake.RateLimited))
		err := h.Sync(t)
		if err == nil || !strings.Contains(err.Error(), "GET /v1/users") || !strings.Contains(err.Error(), "HTTP 429: rate limit exceeded") {
			t.Fatalf("err = %v", err)
		}
	})
}

func TestServerErrorsThenSuccess(t *testing.T) {
	h := newHarness(t, scenario, nil)
	var fails atomic.Int32
	h.Fake.SetFault(func(w http.ResponseWriter, r *http.Request, n int) bool {
		if strings.HasSuffix(r.URL.Path, "/events") && fails.Add(1) <= 3 {
			w.WriteHeader(http.StatusServiceUnavailable)
			_, _ = w.Write([]byte(`{"detail":"Service Unavailable"}`))
			return true
		}
		return false
	})
	if err := h.Sync(t); err != nil {
		t.Fatal(err)
	}
	if st := h.Src.APIStats(); st.Requests["503"] != 3 || len(h.Sink.Incidents) != 4 {
		t.Errorf("stats %+v, incidents %d", st, len(h.Sink.Incidents))
	}
}

// A hung request times out (500 ms per attempt here) and is retried. At least one
// attempt fails; a slow shared machine may time out another, which is retried too.
func TestTimeoutIsRetried(t *testing.T) {
	h := newHarness(t, scenario, func(c *Config) { c.Timeout = 500 * time.Millisecond })
	h.Fake.SetFault(sourcetest.HangOnce(t, sourcetest.Path("/v1/incidents")))
	if err := h.Sync(t); err != nil {
		t.Fatal(err)
	}
	if st := h.Src.APIStats(); st.Requests["error"] < 1 || len(h.Sink.Incidents) != 4 {
		t.Errorf("stats %+v incidents %d", st, len(h.Sink.Incidents))
	}
}

func TestBrokenResponsesFailTheSyncAndKeepData(t *testing.T) {
	cases := map[string]struct {
		path, body, ct, want string
	}{
		"malformed json": {"/v1/incidents", `{"data": [{"id": "F1", "created_at": `, "application/json", "GET /v1/incidents: HTTP 200: malformed JSON"},
		"html page":      {"/v1/incidents", "<!DOCTYPE html><html><body>502</body></html>", "text/html", "GET /v1/incidents: HTTP 200: response is not JSON"},
		"missing field": {"/v1/incidents", `{"data":[{"id":"F9","name":"x"}],"pagination":{"count":1,"page":1,"next":null}}`,
			"application/json", "GET /v1/incidents: HTTP 200: unexpected response shape: data[0]: incident F9: missing field created_at"},
		"wrong type": {"/v1/incidents", `{"data":[{"id":"F9","created_at":"2026-11-20T12:00:00Z","lifecycle_phases":[{"milestones":[{"slug":"resolved","occurred_at":7}]}]}],"pagination":{"next":null}}`,
			"application/json", "GET /v1/incidents: HTTP 200: unexpected response shape: data[0]"},
		"missing list": {"/v1/incidents", `{"pagination":{"next":null}}`, "application/json", "GET /v1/incidents: HTTP 200: unexpected response shape: missing field data"},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			h := newHarness(t, scenario, nil)
			if err := h.Sync(t); err != nil {
				t.Fatal(err)
			}
			before, stored := h.Sink.Cursor, len(h.Sink.Incidents)
			h.Clock.Advance(time.Minute)
			h.Fake.SetFault(sourcetest.Respond(sourcetest.Path(tc.path), tc.ct, tc.body))
			err := h.Sync(t)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v\nwant %q", err, tc.want)
			}
			if h.Sink.Cursor != before || len(h.Sink.Incidents) != stored {
				t.Errorf("stored state changed")
			}
		})
	}
}

func TestTokenNeverLoggedOrInErrors(t *testing.T) {
	h := newHarness(t, scenario, func(c *Config) { c.Token = "wrong-" + testToken })
	err := h.Src.Sync(t.Context(), "", h.Sink)
	sourcetest.RejectedToken(t, err, h.Logs, testToken, "/v1/users", "GET /v1/users: HTTP 401: Unauthorized: invalid bot token")
}

// Organisations configure their own milestones: a lifecycle whose acknowledgement is
// "investigating" and whose resolution is "mitigated" is read with those slugs.
func TestConfiguredMilestones(t *testing.T) {
	h := newHarness(t, func(f *fhfake.Server) {
		f.AddUser(fhfake.User{ID: "u-ana", Name: "Ana Alves", Email: "ana@example.com"})
		c := at(-time.Hour)
		f.AddIncident(fhfake.Incident{ID: "C1", Name: "Custom", Created: c, Milestones: []fhfake.Milestone{
			{ID: "c1", Slug: "investigating", At: c.Add(7 * time.Minute), By: fhfake.Ana()},
			{ID: "c2", Slug: "mitigated", At: c.Add(20 * time.Minute), By: fhfake.Ana()}}})
	}, func(c *Config) {
		c.AckMilestones = []string{"investigating"}
		c.ResolveMilestones = []string{"mitigated", "resolved"}
	})
	if err := h.Sync(t); err != nil {
		t.Fatal(err)
	}
	in := h.Sink.Incidents["C1"]
	if in.AcknowledgedAt != at(-time.Hour+7*time.Minute) || in.ResolvedAt != at(-time.Hour+20*time.Minute) || in.Severity != incident.SeverityUnknown {
		t.Errorf("C1 %+v", in)
	}
	if got := h.Sink.EngagementsOf("C1"); !reflect.DeepEqual(got, []string{"u-ana:acknowledge", "u-ana:resolve"}) {
		t.Errorf("C1 engagements %v", got)
	}
}

func TestSeverityMapping(t *testing.T) {
	for in, want := range map[string]incident.Severity{
		"SEV0": incident.SeverityCritical, "SEV1": incident.SeverityCritical, "sev-2": incident.SeverityHigh,
		"SEV3": incident.SeverityLow, "SEV5": incident.SeverityLow, "P1": incident.SeverityCritical,
		"Critical": incident.SeverityCritical, "high": incident.SeverityHigh, "Medium": incident.SeverityLow,
		"": incident.SeverityUnknown, "UNSET": incident.SeverityUnknown,
	} {
		if got := severity(in); got != want {
			t.Errorf("severity(%q) = %s, want %s", in, got, want)
		}
	}
}

func TestNewValidates(t *testing.T) {
	if _, err := New(Config{SourceConfig: httpapi.SourceConfig{Name: "fh"}}, nil); err == nil {
		t.Error("empty token accepted")
	}
	if _, err := New(Config{SourceConfig: httpapi.SourceConfig{Name: "fh", Token: "x", DefaultTimezone: "Mars/Base"}}, nil); err == nil {
		t.Error("bad time zone accepted")
	}
	if _, err := New(Config{SourceConfig: httpapi.SourceConfig{Name: "fh", Token: "x"}, AckMilestones: []string{"resolved"}}, nil); err == nil {
		t.Error("a milestone both acknowledging and resolving accepted")
	}
	if _, err := New(Config{SourceConfig: httpapi.SourceConfig{Name: "fh", Token: "x"}, ResolveMilestones: []string{}}, nil); err == nil {
		t.Error("no resolve milestone accepted")
	}
	s, err := New(Config{SourceConfig: httpapi.SourceConfig{Name: "fh", Token: "x"}}, nil)
	if err != nil || s.cfg.BaseURL != DefaultBaseURL || s.cfg.RequestsPerMinute != 300 || s.Type() != "firehydrant" || !s.resSet["resolved"] {
		t.Errorf("defaults: %+v %v", s, err)
	}
}

func TestHistoryBoundsTheBackfillAndBadCursorRestartsIt(t *testing.T) {
	h := newHarness(t, bulk(120, 120*24*time.Hour), func(c *Config) { c.History = 30 * 24 * time.Hour })
	if err := h.Src.Sync(t.Context(), `{"v":1,"complete_until":"garbage"`, h.Sink); err != nil {
		t.Fatal(err)
	}
	if n := len(h.Sink.Incidents); n != 30 {
		t.Errorf("back-filled %d incidents, want 30", n)
	}
	if !strings.Contains(h.Logs.String(), "unreadable sync cursor") {
		t.Error("a bad cursor was not reported")
	}
}

// Change events: one change per service, the kind and team from labels or the summary,
// the time from starts_at; read from the cursor's window on.
func TestChangeEvents(t *testing.T) {
	h := newHarness(t, scenario, nil)
	if err := h.Sync(t); err != nil {
		t.Fatal(err)
	}
	want := map[string]incident.Change{
		"FC1":            {Source: "fh", ID: "FC1", Service: "checkout", Kind: "deploy", Time: at(-72*time.Hour - 15*time.Minute)},
		"FC2/s-checkout": {Source: "fh", ID: "FC2/s-checkout", Team: "Payments", Service: "checkout", Kind: "config", Time: at(-10 * time.Hour)},
		"FC2/s-ledger":   {Source: "fh", ID: "FC2/s-ledger", Team: "Payments", Service: "ledger", Kind: "config", Time: at(-10 * time.Hour)},
		"FC3":            {Source: "fh", ID: "FC3", Kind: "other", Time: at(-time.Hour)},
	}
	if !reflect.DeepEqual(h.Sink.Changes, want) {
		t.Errorf("changes:\n got %+v\nwant %+v", h.Sink.Changes, want)
	}
	h.Fake.AddChangeEvent(fhfake.ChangeEvent{ID: "FC5", Summary: "Rollback checkout", Starts: at(30 * time.Second), Services: []string{"s-checkout"}})
	h.Sink.Changes = map[string]incident.Change{}
	h.SyncAfter(t, time.Minute)
	if got := h.Sink.Changes; len(got) != 1 || got["FC5"].Kind != "rollback" {
		t.Errorf("incremental changes %+v", got)
	}
	if !slices.Contains(h.Fake.Requests(), "GET /v1/changes/events?page=1&per_page=100&starts_at=2026-11-20T11%3A55%3A00Z") {
		t.Errorf("change events not read from the cursor's window: %v", h.Fake.Requests())
	}
	// A key without access to changes still syncs the rest.
	h.Fake.SetFault(func(w http.ResponseWriter, r *http.Request, n int) bool {
		if r.URL.Path == "/v1/changes/events" {
			fhfake.APIError(w, http.StatusForbidden, "forbidden", "Forbidden")
			return true
		}
		return false
	})
	h.SyncAfter(t, time.Minute)
	if !strings.Contains(h.Logs.String(), "change events are not available") {
		t.Errorf("403 on change events not logged: %s", h.Logs.String())
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

package rootly

import (
	"encoding/json"
	"net/http"
	"reflect"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hero-exporter/hero_exporter/internal/incident"
	"github.com/hero-exporter/hero_exporter/internal/source/httpapi"
	"github.com/hero-exporter/hero_exporter/internal/source/rootly/rootlyfake"
	"github.com/hero-exporter/hero_exporter/internal/source/sourcetest"
)

func TestBackfillMapping(t *testing.T) {
	h := newHarness(t, scenario, nil)
	if err := h.Sync(t); err != nil {
		t.Fatal(err)
	}
	s := h.Sink

	if got := s.People["103"]; got.TimeZone != "Europe/London" || got.Name != "Cai Chen" || got.Email != "cai@example.com" {
		t.Errorf("null time zone → %+v", got)
	}
	if got := s.People["101"]; got.TimeZone != "Europe/Berlin" || got.Source != "rt" {
		t.Errorf("ana = %+v", got)
	}
	if got := s.Teams["Payments"].Members; !reflect.DeepEqual(got, []string{"101", "102"}) {
		t.Errorf("Payments members %v", got)
	}

	t1 := at(-72 * time.Hour)
	want1 := incident.Incident{Source: "rt", ID: "I1", Title: "DB down", Team: "Payments", Service: "checkout",
		Severity: incident.SeverityCritical, EscalationPolicy: "ep-pay", RecurrenceKey: "db-down",
		CreatedAt: t1, AcknowledgedAt: t1.Add(2 * time.Minute), ResolvedAt: t1.Add(30 * time.Minute)}
	if got := s.Incidents["I1"]; got != want1 {
		t.Errorf("I1\n got %+v\nwant %+v", got, want1)
	}
	if got := s.EngagementsOf("I1"); !reflect.DeepEqual(got, []string{"101:acknowledge", "101:action", "101:resolve"}) {
		t.Errorf("I1 engagements %v", got)
	}
	if got := s.PagesOf("I1"); !reflect.DeepEqual(got, []string{"101:push@12:00:05"}) {
		t.Errorf("I1 pages %v", got)
	}
	// medium → low; team policy when the service has none; an automatic escalation
	// (no user) engages nobody.
	i2 := s.Incidents["I2"]
	if i2.Severity != incident.SeverityLow || i2.EscalationPolicy != "ep-pay" || i2.RecurrenceKey != "" || i2.Service != "ledger" {
		t.Errorf("I2 %+v", i2)
	}
	if got := s.EngagementsOf("I2"); !reflect.DeepEqual(got, []string{"101:action", "102:acknowledge", "102:resolve"}) {
		t.Errorf("I2 engagements %v", got)
	}
	if got := s.PagesOf("I2"); !reflect.DeepEqual(got, []string{"101:sms@20:00:05", "102:phone@20:04:00"}) {
		t.Errorf("I2 pages %v", got)
	}
	// Email is stored as a page with channel email (the analytics exclude it).
	if got := s.PagesOf("I3"); !reflect.DeepEqual(got, []string{"103:email@06:00:20", "103:phone@06:00:10", "103:push@06:00:40"}) {
		t.Errorf("I3 pages %v", got)
	}
	if i3 := s.Incidents["I3"]; i3.Team != "Platform" || i3.EscalationPolicy != "ep-plat" || i3.Service != "" || i3.Severity != incident.SeverityHigh {
		t.Errorf("I3 %+v", i3)
	}
	// No acknowledged_at: the first acknowledged alert event stands in.
	if i4 := s.Incidents["I4"]; !i4.ResolvedAt.IsZero() || i4.AcknowledgedAt != at(-2*time.Hour+90*time.Second) || i4.RecurrenceKey != "db-down" {
		t.Errorf("I4 %+v", i4)
	}
	for _, id := range []string{"I5", "I6"} {
		if _, ok := s.Incidents[id]; ok {
			t.Errorf("%s stored", id)
		}
	}
	for _, p := range s.Pages {
		if p.IncidentID == "I5" || p.IncidentID == "" {
			t.Errorf("page of an excluded or missing incident: %+v", p)
		}
	}
	if len(s.Shifts) != 3 {
		t.Errorf("shifts %v", s.Shifts)
	}
	var c cursor
	if err := json.Unmarshal([]byte(s.Cursor), &c); err != nil {
		t.Fatal(err)
	}
	if c.CompleteUntil != base || c.ServicePolicy["s-checkout"] != "ep-pay" || c.TeamPolicy["g-plat"] != "ep-plat" {
		t.Errorf("cursor %s", s.Cursor)
	}
	if st := h.Src.APIStats(); st.Requests["200"] == 0 || !st.HasRateLimit || st.RateLimitRemaining != 2990 {
		t.Errorf("stats %+v", st)
	}
	if c := h.Src.Capabilities(); c != (incident.Capabilities{People: true, Pages: true, Engagements: true, OnCall: true}) {
		t.Errorf("capabilities %+v", c)
	}
}

func TestIncrementalPicksUpChanges(t *testing.T) {
	h := newHarness(t, scenario, nil)
	if err := h.Sync(t); err != nil {
		t.Fatal(err)
	}
	h.Clock.Advance(10 * time.Minute)
	h.Fake.Resolve("I4", at(5*time.Minute), "102")
	h.Fake.AddIncident(rootlyfake.Incident{ID: "I7", Title: "New", Status: "started", Severity: "high", Team: "g-plat",
		Created: at(3 * time.Minute)})
	h.Fake.AddEvent(rootlyfake.Event{ID: "e20", AlertID: "al7", Kind: "notification", Action: "called", User: "103", Incident: "I7", At: at(3*time.Minute + 5*time.Second)})
	// A late page for I1, whose incident record did not change.
	h.Fake.AddEvent(rootlyfake.Event{ID: "e21", AlertID: "al1", Kind: "notification", Action: "texted", User: "102", Incident: "I1", At: at(4 * time.Minute)})
	h.Fake.ResetRequests()
	if err := h.Sync(t); err != nil {
		t.Fatal(err)
	}
	s := h.Sink
	if i4 := s.Incidents["I4"]; i4.ResolvedAt != at(5*time.Minute) || i4.AcknowledgedAt != at(-2*time.Hour+90*time.Second) {
		t.Errorf("I4 after resolve %+v", i4)
	}
	if got := s.EngagementsOf("I4"); !reflect.DeepEqual(got, []string{"101:action", "102:acknowledge", "102:resolve"}) {
		t.Errorf("I4 engagements %v", got)
	}
	if _, ok := s.Incidents["I7"]; !ok || len(s.PagesOf("I7")) != 1 {
		t.Errorf("I7 missing or without its page")
	}
	if got := s.PagesOf("I1"); len(got) != 2 {
		t.Errorf("I1 pages %v", got)
	}
	t.Logf("incremental sync: %d requests: %s", h.Fake.RequestCount(), strings.Join(h.Fake.Requests(), "\n"))
	if n := h.Fake.RequestCount(); n != 4 {
		t.Errorf("incremental sync took %d requests", n)
	}
}

func ceilDiv(a, b int) int { return (a + b - 1) / b }

func TestRequestCounts(t *testing.T) {
	const n, per = 1000, 4
	h := newHarness(t, bulk(n, per, 80*24*time.Hour), nil)
	if err := h.Sync(t); err != nil {
		t.Fatal(err)
	}
	if len(h.Sink.Incidents) != n || len(h.Sink.Pages) != n*(per-1) || len(h.Sink.Changes) != n/4 {
		t.Fatalf("stored %d incidents, %d pages, %d changes", len(h.Sink.Incidents), len(h.Sink.Pages), len(h.Sink.Changes))
	}
	back := h.Fake.RequestCount()
	// The change feed: 250 changes, 100 a page.
	if got := countPrefix(h.Fake.Requests(), "GET /v1/pulses?"); got != 3 {
		t.Errorf("back-fill read the change feed with %d requests, want 3", got)
	}
	// incidents (100 a page) + alert events (50 a page) + pulses (100 a page) + users,
	// teams, policies + on-calls in 30-day ranges over 90 days.
	bound := ceilDiv(n, pageSize) + ceilDiv(n*per, eventPageSize) + ceilDiv(n/4, pageSize) + 3 + 3
	t.Logf("back-fill of %d incidents with %d alert events: %d requests (bound %d)", n, n*per, back, bound)
	if back > bound {
		t.Errorf("back-fill took %d requests, want ≤ %d:\n%s", back, bound, strings.Join(h.Fake.Requests(), "\n"))
	}
	for range 3 {
		h.SyncAfter(t, time.Minute)
		if got := countPrefix(h.Fake.Requests(), "GET /v1/pulses?"); got != 1 {
			t.Errorf("idle sync read the change feed with %d requests, want 1", got)
		}
		idle := h.Fake.RequestCount()
		t.Logf("idle incremental sync: %d requests: %v", idle, h.Fake.Requests())
		if idle != 4 {
			t.Errorf("idle sync took %d requests: %v", idle, h.Fake.Requests())
		}
	}
	h.SyncAfter(t, time.Hour)
	t.Logf("idle sync with reference refresh: %d requests", h.Fake.RequestCount())
	if n := h.Fake.RequestCount(); n != 7 {
		t.Errorf("refresh sync took %d requests", n)
	}
}

func TestOffsetCapSplitsRanges(t *testing.T) {
	const n = 450
	h := newHarness(t, bulk(n, 1, 10*24*time.Hour), nil)
	h.Fake.SetOffsetCap(200)
	if err := h.Sync(t); err != nil {
		t.Fatal(err)
	}
	if len(h.Sink.Incidents) != n {
		t.Errorf("stored %d incidents, want %d", len(h.Sink.Incidents), n)
	}
	t.Logf("split back-fill: %d requests", h.Fake.RequestCount())
}

// An incident updated while the list is paged moves to the end and another slides
// onto a page already read; the listing notices (total_count changed) and reads again.
func TestListChangingWhilePagedIsReread(t *testing.T) {
	h := newHarness(t, bulk(250, 1, 10*24*time.Hour), nil)
	if err := h.Sync(t); err != nil {
		t.Fatal(err)
	}
	h.Clock.Advance(time.Hour)
	// 150 incidents changed since the cursor.
	h.Fake.Update(func() {
		for i := 100; i < 250; i++ {
			h.Fake.Incident(idOf(i)).Updated = at(time.Duration(i) * time.Second)
		}
	})
	var moved atomic.Bool
	h.Fake.SetFault(func(w http.ResponseWriter, r *http.Request, n int) bool {
		if r.URL.Path == "/v1/incidents" && r.URL.Query().Get("page[number]") == "2" && moved.CompareAndSwap(false, true) {
			// B00100 was on page 1; it changes again after the window's end and leaves it.
			h.Fake.Update(func() { h.Fake.Incident(idOf(100)).Updated = at(2 * time.Hour) })
		}
		return false
	})
	h.Fake.Update(func() { h.Fake.Incident(idOf(200)).Title = "changed" })
	if err := h.Sync(t); err != nil {
		t.Fatal(err)
	}
	if got := h.Sink.Incidents[idOf(200)].Title; got != "changed" {
		t.Errorf("B00200 title %q: the slid incident was missed", got)
	}
}

func idOf(i int) string { return "B" + strings.Repeat("0", 5-len(itoa(i))) + itoa(i) }

func itoa(i int) string { b, _ := json.Marshal(i); return string(b) }

func TestRateLimitStorms(t *testing.T) {
	for name, hdr := range map[string]map[string]string{
		"retry-after":       {"Retry-After": "15"},
		"x-ratelimit-reset": {"X-RateLimit-Reset": "0"},
		"no headers":        nil,
	} {
		t.Run(name, func(t *testing.T) {
			h := newHarness(t, scenario, nil)
			if hdr != nil && hdr["X-RateLimit-Reset"] == "0" {
				// Rootly's reset is a Unix time: 20 s after the fake clock's now.
				hdr = map[string]string{"X-RateLimit-Reset": itoa(int(base.Add(20 * time.Second).Unix()))}
			}
			h.Fake.SetFault(sourcetest.Storm(4, hdr, rootlyfake.RateLimited))
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
			if hdr != nil && slept < 15*time.Second || hdr == nil && slept < 7*time.Second {
				t.Errorf("slept only %v", slept)
			}
		})
	}
	t.Run("endless", func(t *testing.T) {
		h := newHarness(t, scenario, nil)
		h.Fake.SetFault(sourcetest.Always(rootlyfake.RateLimited))
		err := h.Sync(t)
		if err == nil || !strings.Contains(err.Error(), "GET /v1/users") || !strings.Contains(err.Error(), "HTTP 429: Rate limit exceeded") {
			t.Fatalf("err = %v", err)
		}
	})
}

func TestServerErrorsThenSuccess(t *testing.T) {
	h := newHarness(t, scenario, nil)
	h.Fake.SetFault(func(w http.ResponseWriter, r *http.Request, n int) bool {
		if r.URL.Path == "/v1/alert_events" && n < 9 {
			w.WriteHeader(http.StatusBadGateway)
			_, _ = w.Write([]byte(`{"errors":[{"title":"Bad gateway","status":"502"}]}`))
			return true
		}
		return false
	})
	if err := h.Sync(t); err != nil {
		t.Fatal(err)
	}
	if st := h.Src.APIStats(); st.Requests["502"] == 0 || len(h.Sink.Pages) != 8 {
		t.Errorf("stats %+v, pages %d", st, len(h.Sink.Pages))
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
		"malformed json": {"/v1/incidents", `{"data": [{"id": "I1", "attributes": `, "application/vnd.api+json", "GET /v1/incidents: HTTP 200: malformed JSON"},
		"html page":      {"/v1/alert_events", "<!DOCTYPE html><html><body>502</body></html>", "text/html", "GET /v1/alert_events: HTTP 200: response is not JSON"},
		"missing field": {"/v1/alert_events", `{"data":[{"id":"x","type":"alert_events","attributes":{"alert_id":"a","kind":"action","action":"acknowledged","source":"r","updated_at":"2026-11-20T12:00:00Z"}}],"meta":{"next_cursor":null}}`,
			"application/vnd.api+json", "GET /v1/alert_events: HTTP 200: unexpected response shape: data[0]: alert event x: missing field created_at"},
		"wrong type": {"/v1/oncalls", `{"data":[{"id":"o","type":"on_call_resources","attributes":{"escalation_policy_id":"ep","user_id":7,"starts_at":5,"ends_at":"2026-11-21T12:00:00Z"}}]}`,
			"application/vnd.api+json", "GET /v1/oncalls: HTTP 200: malformed JSON"},
		"missing data": {"/v1/incidents", `{"links":{},"meta":{"next_page":null}}`, "application/vnd.api+json", "GET /v1/incidents: HTTP 200: unexpected response shape: missing field data"},
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
	sourcetest.RejectedToken(t, err, h.Logs, testToken, "/v1/users", "GET /v1/users: HTTP 401: Unauthorized (Invalid or missing API key)")
}

// Without Rootly On-Call the feed and on-calls answer 404: the sync succeeds and pages
// and on-call are reported absent, not zero. They turn true once the account shows a
// notification and an on-call entry, and stay true over quiet syncs (the cursor keeps
// them); a 404 turns them off again.
func TestWithoutOnCallCapabilitiesTurnFalse(t *testing.T) {
	h := newHarness(t, scenario, nil)
	h.Fake.SetNoOnCall(true)
	if err := h.Sync(t); err != nil {
		t.Fatal(err)
	}
	if c := h.Src.Capabilities(); c.Pages || c.OnCall || !c.Engagements || !c.People {
		t.Errorf("capabilities %+v", c)
	}
	if len(h.Sink.Pages) != 0 || len(h.Sink.Shifts) != 0 || len(h.Sink.Incidents) != 4 {
		t.Errorf("pages %d shifts %d incidents %d", len(h.Sink.Pages), len(h.Sink.Shifts), len(h.Sink.Incidents))
	}
	h.Fake.SetNoOnCall(false)
	h.Clock.Advance(time.Minute)
	if err := h.Sync(t); err != nil {
		t.Fatal(err)
	}
	// On-call entries overlap the window; no notification happened in it yet.
	if c := h.Src.Capabilities(); c.Pages || !c.OnCall {
		t.Errorf("capabilities after enabling %+v", c)
	}
	h.Clock.Advance(time.Minute)
	h.Fake.AddEvent(rootlyfake.Event{ID: "e30", AlertID: "al4", Kind: "notification", Action: "called", User: "101", Incident: "I4", At: at(90 * time.Second)})
	if err := h.Sync(t); err != nil {
		t.Fatal(err)
	}
	if c := h.Src.Capabilities(); !c.Pages || !c.OnCall {
		t.Errorf("capabilities after a notification %+v", c)
	}
	h.Clock.Advance(time.Hour)
	if err := h.Sync(t); err != nil {
		t.Fatal(err)
	}
	if c := h.Src.Capabilities(); !c.Pages || !c.OnCall {
		t.Errorf("capabilities after a quiet sync %+v", c)
	}
	h.Fake.SetNoOnCall(true)
	h.Clock.Advance(time.Minute)
	if err := h.Sync(t); err != nil {
		t.Fatal(err)
	}
	if c := h.Src.Capabilities(); c.Pages || c.OnCall {
		t.Errorf("capabilities after the add-on went away %+v", c)
	}
}

// An organisation that uses Rootly for incidents but pages and schedules elsewhere: the
// feed and on-calls answer 200 with nothing. Pages and on-call stay absent; otherwise
// every engagement would count as off-rotation and every responder as uninterrupted.
func TestEmptyFeedAndOnCallsAreAbsentNotZero(t *testing.T) {
	h := newHarness(t, scenario, nil)
	h.Fake.ClearAlerting()
	if err := h.Sync(t); err != nil {
		t.Fatal(err)
	}
	if c := h.Src.Capabilities(); c.Pages || c.OnCall || !c.Engagements {
		t.Errorf("capabilities %+v", c)
	}
}

func TestUserRefShapes(t *testing.T) {
	for body, want := range map[string]string{
		`{"id": 12, "name": "x"}`:                 "12",
		`{"id": "12"}`:                            "12",
		`{"data": {"id": "13", "type": "users"}}`: "13",
		`{}`: "",
	} {
		var u userRef
		if err := json.Unmarshal([]byte(body), &u); err != nil || string(u.ID) != want {
			t.Errorf("%s → %q, %v", body, u.ID, err)
		}
	}
	var f flexID
	if err := json.Unmarshal([]byte(`1.5`), &f); err == nil {
		t.Error("a fractional id was accepted")
	}
}

func TestNewValidates(t *testing.T) {
	if _, err := New(Config{SourceConfig: httpapi.SourceConfig{Name: "rt"}}, nil); err == nil {
		t.Error("empty token accepted")
	}
	if _, err := New(Config{SourceConfig: httpapi.SourceConfig{Name: "rt", Token: "x", DefaultTimezone: "Mars/Base"}}, nil); err == nil {
		t.Error("bad time zone accepted")
	}
	s, err := New(Config{SourceConfig: httpapi.SourceConfig{Name: "rt", Token: "x"}}, nil)
	if err != nil || s.cfg.BaseURL != DefaultBaseURL || s.cfg.History != httpapi.DefaultHistory || s.Type() != "rootly" || !s.exclude["test"] {
		t.Errorf("defaults: %+v %v", s, err)
	}
}

func TestHistoryBoundsTheBackfillAndBadCursorRestartsIt(t *testing.T) {
	h := newHarness(t, bulk(120, 2, 120*24*time.Hour), func(c *Config) { c.History = 30 * 24 * time.Hour })
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

// An alert attached to two incidents: its notification is a page on each, with ids
// that stay unique; an event without a person, and one for an incident neither read in
// this run nor known to be inside history, are skipped.
func TestEventMappingEdgeCases(t *testing.T) {
	s, err := New(Config{SourceConfig: httpapi.SourceConfig{Name: "rt", Token: "x"}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	created := at(-time.Hour)
	r := &run{s: s, now: base, histStart: at(-90 * 24 * time.Hour), skipped: map[string]bool{},
		incidents: map[string]*rIncident{
			"A": {id: "A", a: &incidentAttrs{Title: "a", CreatedAt: &created}},
			"B": {id: "B", a: &incidentAttrs{Title: "b", CreatedAt: &created}},
		},
		events: map[string]*resource[alertEventAttrs]{}}
	ev := func(id, action, user string, incs ...string) {
		ts := at(-30 * time.Minute)
		a := &alertEventAttrs{Action: action, Kind: "notification", IncidentIDs: incs, CreatedAt: &ts}
		if user != "" {
			u := flexID(user)
			a.UserID = &u
		}
		r.events[id] = &resource[alertEventAttrs]{ID: flexID(id), Attributes: a}
	}
	ev("x1", "called", "101", "A", "B")
	ev("x2", "called", "", "A")
	ev("x3", "texted", "101", "Z")
	b := r.mapAll()
	var ids []string
	for _, p := range b.Pages {
		ids = append(ids, p.ID+"→"+p.IncidentID)
	}
	if !reflect.DeepEqual(ids, []string{"x1/A→A", "x1/B→B"}) {
		t.Errorf("pages %v", ids)
	}
}

// Pulses: one change per service, kind and team from labels, else the summary and
// source; read from the cursor's window on; split like incidents at the offset cap.
func TestPulses(t *testing.T) {
	h := newHarness(t, scenario, nil)
	if err := h.Sync(t); err != nil {
		t.Fatal(err)
	}
	want := map[string]incident.Change{
		"P1":          {Source: "rt", ID: "P1", Service: "checkout", Kind: "deploy", Time: at(-72*time.Hour - 20*time.Minute)},
		"P2/checkout": {Source: "rt", ID: "P2/checkout", Team: "Payments", Service: "checkout", Kind: "config", Time: at(-39 * time.Hour)},
		"P2/ledger":   {Source: "rt", ID: "P2/ledger", Team: "Payments", Service: "ledger", Kind: "config", Time: at(-39 * time.Hour)},
		"P3":          {Source: "rt", ID: "P3", Kind: "other", Time: at(-time.Hour)},
	}
	if !reflect.DeepEqual(h.Sink.Changes, want) {
		t.Errorf("changes:\n got %+v\nwant %+v", h.Sink.Changes, want)
	}
	h.Fake.AddPulse(rootlyfake.Pulse{ID: "P5", Summary: "Revert checkout v7", At: at(30 * time.Second), Services: []string{"s-checkout"}})
	h.Sink.Changes = map[string]incident.Change{}
	h.SyncAfter(t, time.Minute)
	if got := h.Sink.Changes; len(got) != 1 || got["P5"].Kind != "rollback" {
		t.Errorf("incremental changes %+v", got)
	}
	for _, r := range h.Fake.Requests() {
		if strings.HasPrefix(r, "GET /v1/pulses?") && !strings.Contains(r, "filter%5Bcreated_at%5D%5Bgte%5D=2026-11-20T11%3A55%3A00Z") {
			t.Errorf("pulses not read from the cursor's window: %s", r)
		}
	}

	// 450 pulses over 10 days with an offset cap of 200: split, all read.
	b := newHarness(t, bulk(1800, 1, 10*24*time.Hour), nil)
	b.Fake.SetOffsetCap(200)
	if err := b.Sync(t); err != nil {
		t.Fatal(err)
	}
	if len(b.Sink.Changes) != 450 {
		t.Errorf("split back-fill stored %d changes, want 450", len(b.Sink.Changes))
	}

	// A key that may not read pulses still syncs the rest.
	h.Fake.SetFault(func(w http.ResponseWriter, r *http.Request, n int) bool {
		if r.URL.Path == "/v1/pulses" {
			rootlyfake.APIError(w, http.StatusForbidden, "Forbidden", "")
			return true
		}
		return false
	})
	h.SyncAfter(t, time.Minute)
	if !strings.Contains(h.Logs.String(), "pulses are not available") {
		t.Errorf("403 on pulses not logged")
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

package incidentio

import (
	"encoding/json"
	"net/http"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/hero-exporter/hero_exporter/internal/incident"
	"github.com/hero-exporter/hero_exporter/internal/source/httpapi"
	"github.com/hero-exporter/hero_exporter/internal/source/incidentio/iofake"
	"github.com/hero-exporter/hero_exporter/internal/source/sourcetest"
)

func TestBackfillMapping(t *testing.T) {
	h := newHarness(t, scenario, nil)
	if err := h.Sync(t); err != nil {
		t.Fatal(err)
	}
	s := h.Sink
	zones := map[string]string{}
	for id, p := range s.People {
		zones[id] = p.TimeZone
	}
	// No user has a zone: the zone of a schedule they are on, else the default.
	if want := map[string]string{"U1": "Europe/Berlin", "U2": "America/New_York", "U3": "Europe/Dublin", "U4": "Europe/London"}; !reflect.DeepEqual(zones, want) {
		t.Errorf("zones %v", zones)
	}
	if p := s.People["U1"]; p.Email != "ana@example.com" || p.Name != "Ana Lima" || p.Source != "io" {
		t.Errorf("ana %+v", p)
	}
	if len(s.Teams) != 0 {
		t.Errorf("teams %v: incident.io has no rosters the source reads", s.Teams)
	}
	i1 := s.Incidents["I1"]
	want1 := incident.Incident{Source: "io", ID: "I1", Title: "DB down", Team: "Payments", Service: "checkout",
		Severity: incident.SeverityCritical, EscalationPolicy: "EP1", RecurrenceKey: "db-down",
		CreatedAt: at(-72 * time.Hour), AcknowledgedAt: at(-72*time.Hour + 2*time.Minute),
		ResolvedAt: at(-72*time.Hour + 30*time.Minute)}
	if i1 != want1 {
		t.Errorf("I1\n got %+v\nwant %+v", i1, want1)
	}
	if got := s.EngagementsOf("I1"); !reflect.DeepEqual(got, []string{"U1:acknowledge", "U1:action", "U1:note", "U1:note", "U1:resolve"}) {
		t.Errorf("I1 engagements %v", got)
	}
	if got := s.PagesOf("I1"); !reflect.DeepEqual(got, []string{"U1:push@12:00:10", "U2:push@12:00:10"}) {
		t.Errorf("I1 pages %v", got)
	}
	// No "Resolved at" timestamp: the update into post-incident decides.
	if i2 := s.Incidents["I2"]; i2.ResolvedAt != at(-47*time.Hour) || i2.Severity != incident.SeverityLow || i2.AcknowledgedAt != at(-48*time.Hour+6*time.Minute) {
		t.Errorf("I2 %+v", i2)
	}
	if got := s.EngagementsOf("I2"); !reflect.DeepEqual(got, []string{"U2:acknowledge", "U2:action", "U2:resolve"}) {
		t.Errorf("I2 engagements %v", got)
	}
	// A role has no assignment time: dated at the assignee's first other act, else at
	// the incident's creation.
	if e := s.Engagements["I2/role/01ROLELEAD"]; e.PersonID != "U2" || e.At != at(-48*time.Hour+6*time.Minute) {
		t.Errorf("I2 lead %+v", e)
	}
	if e := s.Engagements["I6/role/01ROLECOMMS"]; e.PersonID != "U4" || e.At != at(-10*time.Hour) {
		t.Errorf("I6 comms %+v", e)
	}
	if got := s.EngagementsOf("I3"); len(got) != 0 {
		t.Errorf("I3 engagements %v", got)
	}
	if i3 := s.Incidents["I3"]; i3.Severity != incident.SeverityHigh || !i3.AcknowledgedAt.IsZero() || i3.ResolvedAt != at(-30*time.Hour+20*time.Minute) {
		t.Errorf("I3 %+v", i3)
	}
	for _, id := range []string{"I4", "I7"} {
		if _, ok := s.Incidents[id]; ok {
			t.Errorf("%s (declined / test) stored", id)
		}
	}
	if got := s.PagesOf("I5"); !reflect.DeepEqual(got, []string{"U2:push@10:00:10", "U2:push@10:00:40"}) {
		t.Errorf("I5 pages %v", got)
	}
	if i5 := s.Incidents["I5"]; !i5.ResolvedAt.IsZero() || i5.RecurrenceKey != "latency" {
		t.Errorf("I5 %+v", i5)
	}
	if got := s.EngagementsOf("I6"); !reflect.DeepEqual(got, []string{"U1:note", "U3:acknowledge", "U3:action", "U3:resolve", "U4:action"}) {
		t.Errorf("I6 engagements %v", got)
	}
	// Shifts: EP1 level 1 (Ana via SCH1) and level 2 (Ben via SCH2); EP2 level 1 (Cai).
	levels := map[string]bool{}
	for _, sh := range s.Shifts {
		levels[sh.PersonID+"@"+sh.EscalationPolicy+"/"+string(rune('0'+sh.Level))] = true
		if sh.PersonID == "U3" && (sh.Start != at(-14*24*time.Hour) || sh.End != at(-7*24*time.Hour)) {
			t.Errorf("shift %+v", sh)
		}
	}
	if want := map[string]bool{"U1@EP1/1": true, "U2@EP1/2": true, "U3@EP2/1": true}; !reflect.DeepEqual(levels, want) {
		t.Errorf("shifts %v", levels)
	}
	var c cursor
	if err := json.Unmarshal([]byte(s.Cursor), &c); err != nil || c.CompleteUntil != base {
		t.Errorf("cursor %s", s.Cursor)
	}
}

func TestIncrementalFollowsChanges(t *testing.T) {
	h := newHarness(t, scenario, nil)
	if err := h.Sync(t); err != nil {
		t.Fatal(err)
	}
	h.Clock.Advance(10 * time.Minute)
	h.Fake.Update(func() {
		// I5 resolves; a new incident I8 is declared and acknowledged; I1 gets a late
		// acknowledgement by Ben on its old escalation (the incident itself unchanged).
		h.Fake.AddUpdate("I5", "UP5", "closed", "U2", at(5*time.Minute))
		h.Fake.AddIncident(iofake.Incident{ID: "I8", Name: "New", Severity: "Critical", Category: "live", Team: "Payments",
			Service: "checkout", Created: at(3 * time.Minute)})
		h.Fake.AddEscalation("E8", "I8", "EP1", "", at(3*time.Minute),
			iofake.Event{ID: "E8n", Kind: "notified_users", At: at(3*time.Minute + 5*time.Second), Users: []string{"U1"}},
			iofake.Event{ID: "E8a", Kind: "acked", At: at(4 * time.Minute), Users: []string{"U1"}})
		h.Fake.AddEvent("E1", iofake.Event{ID: "E1late", Kind: "acked", At: at(6 * time.Minute), Users: []string{"U2"}})
	})
	h.Fake.ResetRequests()
	if err := h.Sync(t); err != nil {
		t.Fatal(err)
	}
	s := h.Sink
	// I5's first acknowledgement survives: its escalation is re-read by incident.
	if i5 := s.Incidents["I5"]; i5.ResolvedAt != at(5*time.Minute) || i5.AcknowledgedAt != at(-2*time.Hour+90*time.Second) {
		t.Errorf("I5 %+v", i5)
	}
	if i8, ok := s.Incidents["I8"]; !ok || i8.AcknowledgedAt != at(4*time.Minute) || len(s.PagesOf("I8")) != 1 {
		t.Errorf("I8 %+v", i8)
	}
	// The late acknowledgement does not move I1's first acknowledgement.
	if i1 := s.Incidents["I1"]; i1.AcknowledgedAt != at(-72*time.Hour+2*time.Minute) {
		t.Errorf("I1 %+v", i1)
	}
	if got := s.EngagementsOf("I1"); !reflect.DeepEqual(got, []string{"U1:acknowledge", "U1:action", "U1:note", "U1:note", "U1:resolve", "U2:acknowledge"}) {
		t.Errorf("I1 engagements %v", got)
	}
	reqs := h.Fake.Requests()
	// incidents, escalations, I1 by id, escalations of I1, I5, I8 (one request), and the
	// updates of those three.
	t.Logf("incremental sync with three changed incidents: %d requests:\n%s", len(reqs), strings.Join(reqs, "\n"))
	if len(reqs) != 7 {
		t.Errorf("incremental sync took %d requests, want 7", len(reqs))
	}
	// A minute later the overlap lists those changes again, but nothing changed since:
	// nothing is read in detail or written again.
	h.Clock.Advance(time.Minute)
	h.Fake.ResetRequests()
	writes := h.Sink.Writes
	if err := h.Sync(t); err != nil {
		t.Fatal(err)
	}
	if reqs := h.Fake.Requests(); len(reqs) != 2 {
		t.Errorf("sync after the changes took %d requests: %v", len(reqs), reqs)
	}
	if h.Sink.Writes != writes+1 || len(h.Sink.Incidents) != 6 {
		t.Errorf("%d writes, %d incidents", h.Sink.Writes-writes, len(h.Sink.Incidents))
	}
}

// An incident declared by hand pages nobody and has no escalation: its on-call check
// uses the escalation path of its team.
func TestIncidentWithoutEscalationUsesTheTeamPath(t *testing.T) {
	h := newHarness(t, func(f *iofake.Server) {
		iofake.Scenario(f, base)
		f.AddIncident(iofake.Incident{ID: "I9", Name: "Customer report", Severity: "Minor", Category: "live", Team: "Platform",
			Lead: "U3", Created: at(-time.Hour)})
	}, nil)
	if err := h.Sync(t); err != nil {
		t.Fatal(err)
	}
	if i9 := h.Sink.Incidents["I9"]; i9.EscalationPolicy != "EP2" || !i9.AcknowledgedAt.IsZero() || len(h.Sink.PagesOf("I9")) != 0 {
		t.Errorf("I9 %+v", i9)
	}
}

// Triage incidents wait until accepted; one declined from triage is never stored; a
// merged one is stored as resolved at the merge, so it does not stay open.
func TestTriageDeclinedAndMerged(t *testing.T) {
	h := newHarness(t, func(f *iofake.Server) {
		iofake.Scenario(f, base)
		f.AddIncident(iofake.Incident{ID: "I10", Name: "Maybe", Category: "triage", Team: "Payments", Created: at(-30 * time.Minute)})
	}, nil)
	if err := h.Sync(t); err != nil {
		t.Fatal(err)
	}
	if _, ok := h.Sink.Incidents["I10"]; ok {
		t.Error("triage incident stored")
	}
	h.Clock.Advance(10 * time.Minute)
	h.Fake.Update(func() {
		h.Fake.AddUpdate("I10", "UP10a", "live", "U1", at(2*time.Minute))
		h.Fake.AddUpdate("I5", "UP5m", "merged", "U2", at(3*time.Minute))
	})
	if err := h.Sync(t); err != nil {
		t.Fatal(err)
	}
	if i10, ok := h.Sink.Incidents["I10"]; !ok || !i10.ResolvedAt.IsZero() {
		t.Errorf("accepted I10 %+v %v", i10, ok)
	}
	if i5 := h.Sink.Incidents["I5"]; i5.ResolvedAt != at(3*time.Minute) {
		t.Errorf("merged I5 %+v", i5)
	}
	if _, ok := h.Sink.Incidents["I4"]; ok {
		t.Error("declined I4 stored")
	}
}

func TestRequestCounts(t *testing.T) {
	const n = 1000
	h := newHarness(t, bulk(n, 80*24*time.Hour), nil)
	if err := h.Sync(t); err != nil {
		t.Fatal(err)
	}
	if len(h.Sink.Incidents) != n || len(h.Sink.Pages) != n || len(h.Sink.Engagements) != 3*n {
		t.Fatalf("stored %d incidents, %d pages, %d engagements", len(h.Sink.Incidents), len(h.Sink.Pages), len(h.Sink.Engagements))
	}
	back := h.Fake.RequestCount()
	// users, schedules, escalation paths, entries of one schedule: 4; incidents
	// ⌈1000/250⌉ = 4; escalations ⌈1000/50⌉ = 20; one updates request per incident.
	want := 4 + n/250 + n/50 + n
	t.Logf("back-fill of %d incidents: %d requests (want %d)", n, back, want)
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
	if n := h.Fake.RequestCount(); n != 2+4 {
		t.Errorf("refresh sync took %d requests", n)
	}
}

func TestScheduleEntriesPaging(t *testing.T) {
	h := newHarness(t, func(f *iofake.Server) {
		f.AddUser("U1", "Ana Lima", "ana@example.com")
		f.AddSchedule("SCH1", "Twice a day", "Europe/Berlin")
		f.AddPath("EP1", "Payments", "SCH1")
		for k := -200; k < 14; k++ { // 12-hour shifts
			f.AddEntry("SCH1", "U1", at(time.Duration(k)*12*time.Hour), at(time.Duration(k+1)*12*time.Hour))
		}
	}, nil)
	if err := h.Sync(t); err != nil {
		t.Fatal(err)
	}
	// The window is [the 7-day grid point before now−90d, now+7d).
	ws, we := gridFloor(at(-90*24*time.Hour)), at(7*24*time.Hour)
	want := 0
	for k := -200; k < 14; k++ {
		if at(time.Duration(k+1)*12*time.Hour).After(ws) && at(time.Duration(k)*12*time.Hour).Before(we) {
			want++
		}
	}
	pages := 0
	for _, r := range h.Fake.Requests() {
		if strings.HasPrefix(r, "GET /v2/schedule_entries") {
			pages++
		}
	}
	if wantPages := (want + 49) / 50; pages != wantPages || pages < 3 {
		t.Errorf("%d schedule_entries requests, want %d", pages, wantPages)
	}
	if len(h.Sink.Shifts) != want {
		t.Errorf("%d shifts, want %d", len(h.Sink.Shifts), want)
	}
}

func TestRateLimited(t *testing.T) {
	for name, retryAfter := range map[string]int{"Retry-After": 15, "no headers": -1} {
		t.Run(name, func(t *testing.T) {
			h := newHarness(t, scenario, nil)
			h.Fake.SetFault(func(w http.ResponseWriter, r *http.Request, n int) bool {
				if n > 4 {
					return false
				}
				iofake.RateLimited(w, retryAfter)
				return true
			})
			if err := h.Sync(t); err != nil {
				t.Fatal(err)
			}
			if len(h.Sink.Incidents) != 5 {
				t.Errorf("incidents %d", len(h.Sink.Incidents))
			}
			if st := h.Src.APIStats(); st.Requests["429"] != 4 {
				t.Errorf("stats %+v", st)
			}
			slept := h.Clock.Slept()
			if retryAfter > 0 && slept < 4*15*time.Second || retryAfter < 0 && (slept < 7*time.Second || slept > time.Minute) {
				t.Errorf("slept %v", slept)
			}
		})
	}
	t.Run("endless", func(t *testing.T) {
		h := newHarness(t, scenario, nil)
		h.Fake.SetFault(sourcetest.Always(func(w http.ResponseWriter) { iofake.RateLimited(w, 1) }))
		err := h.Sync(t)
		if err == nil || !strings.Contains(err.Error(), "GET /v2/users") || !strings.Contains(err.Error(), "HTTP 429") ||
			!strings.Contains(err.Error(), "Rate limit exceeded") {
			t.Fatalf("err = %v", err)
		}
	})
}

func TestServerErrorsThenSuccess(t *testing.T) {
	h := newHarness(t, scenario, nil)
	seen := 0
	h.Fake.SetFault(func(w http.ResponseWriter, r *http.Request, n int) bool {
		if r.URL.Path != "/v2/escalations" {
			return false
		}
		if seen++; seen <= 2 {
			w.WriteHeader(http.StatusBadGateway)
			_, _ = w.Write([]byte(`<html>bad gateway</html>`))
			return true
		}
		return false
	})
	if err := h.Sync(t); err != nil {
		t.Fatal(err)
	}
	if st := h.Src.APIStats(); st.Requests["502"] != 2 || len(h.Sink.Pages) != 8 {
		t.Errorf("stats %+v, pages %d", st, len(h.Sink.Pages))
	}
}

func TestTimeoutIsRetried(t *testing.T) {
	h := newHarness(t, scenario, func(c *Config) { c.Timeout = 250 * time.Millisecond })
	h.Fake.SetFault(sourcetest.HangOnce(t, sourcetest.Path("/v2/incidents")))
	if err := h.Sync(t); err != nil {
		t.Fatal(err)
	}
	if st := h.Src.APIStats(); st.Requests["error"] < 1 || len(h.Sink.Incidents) != 5 {
		t.Errorf("stats %+v incidents %d", st, len(h.Sink.Incidents))
	}
}

func TestBrokenResponsesFailTheSyncAndKeepData(t *testing.T) {
	cases := map[string]struct {
		path, body, ct, want string
	}{
		"malformed json": {"/v2/incidents", `{"incidents": [{"id": "I1", "created_at": `, "application/json", "GET /v2/incidents: HTTP 200: malformed JSON"},
		"html page":      {"/v2/escalations", "<!DOCTYPE html><html>maintenance</html>", "text/html", "GET /v2/escalations: HTTP 200: response is not JSON"},
		"missing field": {"/v2/incidents", `{"incidents":[{"id":"I9","created_at":"2026-11-20T12:00:30Z"}],"pagination_meta":{"page_size":250}}`, "application/json",
			"GET /v2/incidents: HTTP 200: unexpected response shape: incidents[0]: incident I9: missing field incident_status.category"},
		"wrong type": {"/v2/escalations", `{"escalations":[{"id":"E9","created_at":"2026-11-20T12:00:30Z","events":"none"}],"pagination_meta":{"page_size":50}}`,
			"application/json", "GET /v2/escalations: HTTP 200: malformed JSON"},
		"missing list": {"/v2/incidents", `{"pagination_meta":{"page_size":250}}`, "application/json", "GET /v2/incidents: HTTP 200: unexpected response shape: missing field incidents"},
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

func TestTokenNeverLoggedOrInErrors(t *testing.T) {
	h := newHarness(t, scenario, func(c *Config) { c.Token = "wrong-" + testToken })
	err := h.Src.Sync(t.Context(), "", h.Sink)
	sourcetest.RejectedToken(t, err, h.Logs, testToken, "/v2/users", "HTTP 401", "The API key provided is not valid")
}

func TestSeverityMapping(t *testing.T) {
	for name, want := range map[string]incident.Severity{"Critical": incident.SeverityCritical, "Major": incident.SeverityHigh,
		"Minor": incident.SeverityLow, "SEV1": incident.SeverityCritical, "sev 2": incident.SeverityHigh, "P4": incident.SeverityLow,
		"Medium": incident.SeverityLow, "Whatever": incident.SeverityUnknown} {
		if got := severity(&severityRef{Name: name}); got != want {
			t.Errorf("severity(%q) = %s, want %s", name, got, want)
		}
	}
	if severity(nil) != incident.SeverityUnknown {
		t.Error("no severity is not unknown")
	}
}

func TestNewValidates(t *testing.T) {
	if _, err := New(Config{SourceConfig: httpapi.SourceConfig{Name: "io"}}, nil); err == nil {
		t.Error("empty token accepted")
	}
	if _, err := New(Config{SourceConfig: httpapi.SourceConfig{Name: "io", Token: "x", DefaultTimezone: "Mars/Base"}}, nil); err == nil {
		t.Error("bad time zone accepted")
	}
	s, err := New(Config{SourceConfig: httpapi.SourceConfig{Name: "io", Token: "x"}}, nil)
	if err != nil || s.cfg.BaseURL != DefaultBaseURL || s.cfg.History != httpapi.DefaultHistory || s.Type() != "incidentio" ||
		s.cfg.TeamField != "Team" || s.cfg.RequestsPerMinute != 1200 {
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

// An organisation that pages through another tool: incident.io On-call is not
// available to the key. The sync still succeeds; pages and on-call are not claimed, so
// interruptions and off-rotation are absent rather than zero.
func TestWithoutOnCallPagesAndShiftsAreNotClaimed(t *testing.T) {
	for name, fault := range map[string]func(path string) bool{
		"forbidden": func(p string) bool { return p == "/v2/escalations" || p == "/v2/schedules" },
		"no paths":  func(p string) bool { return false },
	} {
		t.Run(name, func(t *testing.T) {
			h := newHarness(t, func(f *iofake.Server) {
				f.AddUser("U1", "Ana Lima", "ana@example.com")
				f.AddIncident(iofake.Incident{ID: "I1", Name: "x", Severity: "Minor", Category: "live", Team: "Payments", Lead: "U1", Created: at(-time.Hour)})
			}, nil)
			h.Fake.SetFault(func(w http.ResponseWriter, r *http.Request, n int) bool {
				if fault(r.URL.Path) {
					iofake.APIError(w, http.StatusForbidden, "authorization_error", "forbidden", "This API key cannot view on-call")
					return true
				}
				return false
			})
			if err := h.Sync(t); err != nil {
				t.Fatal(err)
			}
			if c := h.Src.Capabilities(); c.Pages || c.OnCall || !c.Engagements || !c.People {
				t.Errorf("capabilities %+v", c)
			}
			if len(h.Sink.Incidents) != 1 || len(h.Sink.EngagementsOf("I1")) != 1 {
				t.Errorf("incidents %v", h.Sink.Incidents)
			}
		})
	}
	full := newHarness(t, scenario, nil)
	if err := full.Sync(t); err != nil {
		t.Fatal(err)
	}
	if c := full.Src.Capabilities(); !c.Pages || !c.OnCall {
		t.Errorf("capabilities with on-call %+v", c)
	}
}

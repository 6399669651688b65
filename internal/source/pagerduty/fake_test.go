package pagerduty

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hero-exporter/hero_exporter/internal/incident"
	"github.com/hero-exporter/hero_exporter/internal/source"
)

// This file is a fake PagerDuty REST API v2: the real paths, query parameters
// (since, until, limit, offset, total, include[], time_zone, statuses[], date_range,
// is_overview), pagination fields (limit, offset, more, total) and error bodies
// ({"error":{"code":…,"message":…}}), serving fixtures the tests build in Go.

const testToken = "u+TESTtokenNeverLog-1234"

type obj = map[string]any

type fakeLog struct {
	at  time.Time
	inc string
	o   obj
}

type fakeTeam struct {
	o       obj
	members []string
}

// recorded is one response of the fake, for the conformance test.
type recorded struct {
	method, path, query string
	status              int
	header              http.Header
	body                []byte
	negative            bool // a deliberately invalid response (conformance test control)
}

type fakePD struct {
	t  *testing.T
	mu sync.Mutex

	users     []obj
	teams     []fakeTeam
	services  []obj
	policies  []obj
	incidents []obj // sorted by created_at when served
	byID      map[string]obj
	logs      []fakeLog
	sorted    []fakeLog // logs, newest first; nil when stale
	oncalls   []obj

	// fault, when set, may answer a request itself (returning true). Its responses are
	// deliberately off-spec and are not recorded for the conformance test, except 429s.
	fault func(w http.ResponseWriter, r *http.Request, n int) bool

	requests []string // "GET /path?query"
	maxSeen  int      // largest offset+limit asked for
	record   []recorded
}

func newFake(t *testing.T) (*fakePD, *httptest.Server) {
	f := &fakePD{t: t}
	srv := httptest.NewServer(f)
	t.Cleanup(srv.Close)
	return f, srv
}

func (f *fakePD) requestCount() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.requests)
}

func (f *fakePD) resetRequests() {
	f.mu.Lock()
	f.requests = nil
	f.mu.Unlock()
}

func (f *fakePD) setFault(fn func(w http.ResponseWriter, r *http.Request, n int) bool) {
	f.mu.Lock()
	f.fault = fn
	f.mu.Unlock()
}

func (f *fakePD) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	f.requests = append(f.requests, r.Method+" "+r.URL.Path+"?"+r.URL.RawQuery)
	n := len(f.requests)
	fault := f.fault
	f.mu.Unlock()
	if fault != nil {
		rec := httptest.NewRecorder()
		if fault(rec, r, n) {
			f.flush(w, r, rec, rec.Code == http.StatusTooManyRequests)
			return
		}
	}
	rec := httptest.NewRecorder()
	f.mu.Lock()
	f.serve(rec, r)
	f.mu.Unlock()
	f.flush(w, r, rec, true)
}

func (f *fakePD) flush(w http.ResponseWriter, r *http.Request, rec *httptest.ResponseRecorder, keep bool) {
	if keep {
		f.mu.Lock()
		f.record = append(f.record, recorded{method: r.Method, path: r.URL.Path, query: r.URL.RawQuery,
			status: rec.Code, header: rec.Header().Clone(), body: rec.Body.Bytes()})
		f.mu.Unlock()
	}
	for k, v := range rec.Header() {
		w.Header()[k] = v
	}
	w.WriteHeader(rec.Code)
	_, _ = w.Write(rec.Body.Bytes())
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("ratelimit-limit", "960")
	w.Header().Set("ratelimit-remaining", "900")
	w.Header().Set("ratelimit-reset", "30")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func apiError(w http.ResponseWriter, status, code int, msg string, details ...string) {
	e := obj{"code": code, "message": msg}
	if len(details) > 0 {
		e["errors"] = details
	}
	writeJSON(w, status, obj{"error": e})
}

func (f *fakePD) serve(w http.ResponseWriter, r *http.Request) {
	if r.Header.Get("Authorization") != "Token token="+testToken {
		apiError(w, http.StatusUnauthorized, 2006, "Authentication failed")
		return
	}
	if r.Header.Get("Accept") != "application/vnd.pagerduty+json;version=2" {
		apiError(w, http.StatusBadRequest, 2001, "Invalid Input Provided", "Accept header must select version 2")
		return
	}
	q := r.URL.Query()
	if tz := q.Get("time_zone"); tz != "" && tz != "UTC" {
		apiError(w, http.StatusBadRequest, 2001, "Invalid Input Provided", "the fake only renders UTC")
		return
	}
	parts := strings.Split(strings.Trim(r.URL.Path, "/"), "/")
	switch {
	case r.URL.Path == "/users":
		f.list(w, q, "users", f.users)
	case r.URL.Path == "/teams":
		var teams []obj
		for _, t := range f.teams {
			teams = append(teams, t.o)
		}
		f.list(w, q, "teams", teams)
	case len(parts) == 3 && parts[0] == "teams" && parts[2] == "members":
		for _, t := range f.teams {
			if t.o["id"] == parts[1] {
				var ms []obj
				for _, id := range t.members {
					ms = append(ms, obj{"user": f.userRef(id), "role": "responder"})
				}
				f.list(w, q, "members", ms)
				return
			}
		}
		apiError(w, http.StatusNotFound, 2100, "Not Found")
	case r.URL.Path == "/services":
		f.list(w, q, "services", f.services)
	case r.URL.Path == "/escalation_policies":
		f.list(w, q, "escalation_policies", f.policies)
	case r.URL.Path == "/incidents":
		f.listIncidents(w, q)
	case len(parts) == 2 && parts[0] == "incidents":
		for _, in := range f.incidents {
			if in["id"] == parts[1] {
				writeJSON(w, http.StatusOK, obj{"incident": in})
				return
			}
		}
		apiError(w, http.StatusNotFound, 2100, "Not Found")
	case len(parts) == 3 && parts[0] == "incidents" && parts[2] == "log_entries":
		var out []obj
		for _, l := range f.sortedLogs() {
			if l.inc == parts[1] {
				out = append(out, l.o)
			}
		}
		f.list(w, q, "log_entries", out)
	case r.URL.Path == "/log_entries":
		since, until, ok := f.rangeParams(w, q, 0)
		if !ok {
			return
		}
		var out []obj
		for _, l := range f.sortedLogs() {
			if !l.at.Before(since) && l.at.Before(until) {
				out = append(out, l.o)
			}
		}
		f.list(w, q, "log_entries", out)
	case r.URL.Path == "/oncalls":
		since, until, ok := f.rangeParams(w, q, 0)
		if !ok {
			return
		}
		var out []obj
		for _, o := range f.oncalls {
			start, _ := time.Parse(time.RFC3339, o["start"].(string))
			end, _ := time.Parse(time.RFC3339, o["end"].(string))
			if start.Before(until) && end.After(since) {
				out = append(out, o)
			}
		}
		f.list(w, q, "oncalls", out)
	default:
		apiError(w, http.StatusNotFound, 2100, "Not Found")
	}
}

// sortedLogs: newest first, as PagerDuty lists log entries.
func (f *fakePD) sortedLogs() []fakeLog {
	if f.sorted == nil {
		f.sorted = slices.Clone(f.logs)
		sort.SliceStable(f.sorted, func(i, j int) bool { return f.sorted[i].at.After(f.sorted[j].at) })
	}
	return f.sorted
}

func (f *fakePD) rangeParams(w http.ResponseWriter, q map[string][]string, maxRange time.Duration) (time.Time, time.Time, bool) {
	get := func(k string) string {
		if v := q[k]; len(v) > 0 {
			return v[0]
		}
		return ""
	}
	since, err1 := time.Parse(time.RFC3339, get("since"))
	until, err2 := time.Parse(time.RFC3339, get("until"))
	if err1 != nil || err2 != nil || until.Before(since) {
		apiError(w, http.StatusBadRequest, 2001, "Invalid Input Provided", "since and until must be ISO 8601 times")
		return since, until, false
	}
	if maxRange > 0 && until.Sub(since) > maxRange {
		apiError(w, http.StatusBadRequest, 2001, "Invalid Input Provided", "Date range cannot exceed 6 months")
		return since, until, false
	}
	return since, until, true
}

func (f *fakePD) listIncidents(w http.ResponseWriter, q map[string][]string) {
	all := slices.Clone(f.incidents)
	sort.SliceStable(all, func(i, j int) bool {
		return all[i]["created_at"].(string) < all[j]["created_at"].(string)
	})
	var since, until time.Time
	ranged := !(len(q["date_range"]) > 0 && q["date_range"][0] == "all")
	if ranged {
		var ok bool
		if since, until, ok = f.rangeParams(w, q, 183*24*time.Hour); !ok {
			return
		}
	}
	var out []obj
	for _, in := range all {
		created, _ := time.Parse(time.RFC3339, in["created_at"].(string))
		if ranged && (created.Before(since) || !created.Before(until)) {
			continue
		}
		if st := q["statuses[]"]; len(st) > 0 && !slices.Contains(st, in["status"].(string)) {
			continue
		}
		out = append(out, in)
	}
	f.list(w, q, "incidents", out)
}

// list serves one page of items with PagerDuty's offset pagination and limits.
func (f *fakePD) list(w http.ResponseWriter, q map[string][]string, key string, items []obj) {
	num := func(k string, def int) (int, bool) {
		v := q[k]
		if len(v) == 0 {
			return def, true
		}
		n, err := strconv.Atoi(v[0])
		return n, err == nil && n >= 0
	}
	limit, ok1 := num("limit", 25)
	offset, ok2 := num("offset", 0)
	if !ok1 || !ok2 || limit > 100 {
		apiError(w, http.StatusBadRequest, 2001, "Invalid Input Provided", "limit must be at most 100")
		return
	}
	if limit == 0 {
		limit = 25
	}
	f.maxSeen = max(f.maxSeen, offset+limit)
	if offset+limit > 10000 {
		apiError(w, http.StatusBadRequest, 2001, "Invalid Input Provided", "Offset must be less than 10000.")
		return
	}
	end := min(offset+limit, len(items))
	pageItems := []obj{}
	if offset < len(items) {
		pageItems = items[offset:end]
	}
	var total any
	if v := q["total"]; len(v) > 0 && v[0] == "true" {
		total = len(items)
	}
	writeJSON(w, http.StatusOK, obj{
		key: pageItems, "limit": limit, "offset": offset, "more": offset+limit < len(items), "total": total,
	})
}

// ---- fixture builders ----

func ts(t time.Time) string { return t.UTC().Format(time.RFC3339) }

func (f *fakePD) addUser(id, name, email string, tz any) {
	u := obj{"id": id, "type": "user", "summary": name, "name": name, "email": email,
		"self": "https://api.pagerduty.com/users/" + id, "html_url": "https://acme.pagerduty.com/users/" + id,
		"time_zone": tz, "role": "user"}
	f.users = append(f.users, u)
}

func (f *fakePD) userRef(id string) obj {
	name := id
	for _, u := range f.users {
		if u["id"] == id {
			name = u["name"].(string)
		}
	}
	return obj{"id": id, "type": "user_reference", "summary": name, "self": "https://api.pagerduty.com/users/" + id}
}

func teamRef(id, name string) obj {
	return obj{"id": id, "type": "team_reference", "summary": name, "self": "https://api.pagerduty.com/teams/" + id}
}

func (f *fakePD) addTeam(id, name string, members ...string) {
	f.teams = append(f.teams, fakeTeam{o: obj{"id": id, "type": "team", "summary": name, "name": name,
		"self": "https://api.pagerduty.com/teams/" + id}, members: members})
}

func epRef(id, name string) obj {
	return obj{"id": id, "type": "escalation_policy_reference", "summary": name,
		"self": "https://api.pagerduty.com/escalation_policies/" + id}
}

func serviceRef(id, name string) obj {
	return obj{"id": id, "type": "service_reference", "summary": name, "self": "https://api.pagerduty.com/services/" + id}
}

func (f *fakePD) addPolicy(id, name string, teams ...obj) {
	f.policies = append(f.policies, obj{"id": id, "type": "escalation_policy", "summary": name, "name": name,
		"escalation_rules": []obj{{"id": "R" + id, "escalation_delay_in_minutes": 30,
			"targets": []obj{{"id": "PSCHED1", "type": "schedule_reference"}}}},
		"teams": nonNil(teams), "num_loops": 0})
}

func (f *fakePD) addService(id, name, policy string, teams ...obj) {
	f.services = append(f.services, obj{"id": id, "type": "service", "summary": name, "name": name,
		"status": "active", "escalation_policy": epRef(policy, policy), "teams": nonNil(teams)})
}

func nonNil(o []obj) []obj {
	if o == nil {
		return []obj{}
	}
	return o
}

type incSpec struct {
	id, title, service, serviceName, policy, status, urgency, priority, key string
	teams                                                                   []obj
	created, resolved                                                       time.Time
}

func (f *fakePD) addIncident(s incSpec) obj {
	in := obj{
		"id": s.id, "type": "incident", "summary": s.title, "title": s.title,
		"self":            "https://api.pagerduty.com/incidents/" + s.id,
		"incident_number": len(f.incidents) + 1,
		"created_at":      ts(s.created), "updated_at": ts(s.created),
		"status": s.status, "urgency": s.urgency,
		"service":               serviceRef(s.service, s.serviceName),
		"escalation_policy":     epRef(s.policy, s.policy),
		"teams":                 nonNil(s.teams),
		"assignments":           []obj{},
		"acknowledgements":      []obj{},
		"assigned_via":          "escalation_policy",
		"last_status_change_at": ts(s.created),
	}
	if s.key != "" {
		in["incident_key"] = s.key
	}
	if s.priority != "" {
		in["priority"] = obj{"id": "PPRI" + s.priority, "type": "priority", "summary": s.priority, "name": s.priority}
	}
	if s.status == "resolved" {
		in["resolved_at"] = ts(s.resolved)
		in["last_status_change_at"] = ts(s.resolved)
		in["updated_at"] = ts(s.resolved)
	} else {
		in["resolved_at"] = nil
	}
	f.incidents = append(f.incidents, in)
	if f.byID == nil {
		f.byID = map[string]obj{}
	}
	f.byID[s.id] = in
	return in
}

func (f *fakePD) incident(id string) obj {
	in, ok := f.byID[id]
	if !ok {
		f.t.Fatalf("no incident %s", id)
	}
	return in
}

// addLog appends a log entry of incident inc. agent is a user id, or "svc:<id>" for a
// service (an integration acting).
func (f *fakePD) addLog(id, typ, inc string, at time.Time, agent string, extra obj) {
	in := f.incident(inc)
	o := obj{
		"id": id, "type": typ, "summary": strings.ReplaceAll(typ, "_", " "),
		"self":       "https://api.pagerduty.com/log_entries/" + id,
		"created_at": ts(at),
		"incident":   obj{"id": inc, "type": "incident_reference", "summary": in["title"], "self": "https://api.pagerduty.com/incidents/" + inc},
		"service":    in["service"],
		"teams":      in["teams"],
		"channel":    obj{"type": "website"},
	}
	if svc, ok := strings.CutPrefix(agent, "svc:"); ok {
		o["agent"] = serviceRef(svc, svc)
		o["channel"] = obj{"type": "api"}
	} else if agent != "" {
		o["agent"] = f.userRef(agent)
	}
	for k, v := range extra {
		o[k] = v
	}
	f.mu.Lock()
	f.logs = append(f.logs, fakeLog{at: at, inc: inc, o: o})
	f.sorted = nil
	f.mu.Unlock()
}

// notify appends a notify_log_entry to user by channel kind (sms, phone, push, email).
func (f *fakePD) notify(id, inc, user, kind string, at time.Time) {
	f.addLog(id, "notify_log_entry", inc, at, "svc:"+f.incident(inc)["service"].(obj)["id"].(string), obj{
		"user":    f.userRef(user),
		"summary": "Notified " + user + " by " + kind,
		"channel": obj{"type": "auto", "notification": obj{"type": kind + "_notification", "status": "success",
			"started_at": ts(at)}},
	})
}

func (f *fakePD) addOncall(user, policy string, level int, start, end time.Time) {
	f.oncalls = append(f.oncalls, obj{"user": f.userRef(user), "escalation_policy": epRef(policy, policy),
		"schedule":         obj{"id": "PSCHED1", "type": "schedule_reference", "summary": "Primary"},
		"escalation_level": level, "start": ts(start), "end": ts(end)})
}

// ---- memory sink ----

type memSink struct {
	mu          sync.Mutex
	writes      int
	cursor      string
	people      map[string]incident.Person
	teams       map[string]incident.Team
	incidents   map[string]incident.Incident
	pages       map[string]incident.Page
	engagements map[string]incident.Engagement
	shifts      map[string]incident.Shift
}

func newSink() *memSink {
	return &memSink{people: map[string]incident.Person{}, teams: map[string]incident.Team{},
		incidents: map[string]incident.Incident{}, pages: map[string]incident.Page{},
		engagements: map[string]incident.Engagement{}, shifts: map[string]incident.Shift{}}
}

func (m *memSink) Write(_ context.Context, src string, b *source.Batch) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.writes++
	for _, x := range b.People {
		m.people[x.ID] = x
	}
	for _, x := range b.Teams {
		m.teams[x.Name] = x
	}
	for _, x := range b.Incidents {
		m.incidents[x.ID] = x
	}
	for _, x := range b.Pages {
		m.pages[x.ID] = x
	}
	for _, x := range b.Engagements {
		m.engagements[x.ID] = x
	}
	for _, x := range b.Shifts {
		m.shifts[x.ID] = x
	}
	if b.Cursor != "" {
		m.cursor = b.Cursor
	}
	return nil
}

func (m *memSink) engagementsOf(inc string) []string {
	var out []string
	for _, e := range m.engagements {
		if e.IncidentID == inc {
			out = append(out, e.PersonID+":"+e.Kind)
		}
	}
	sort.Strings(out)
	return out
}

func (m *memSink) pagesOf(inc string) []string {
	var out []string
	for _, p := range m.pages {
		if p.IncidentID == inc {
			out = append(out, fmt.Sprintf("%s:%s@%s", p.PersonID, p.Channel, p.At.Format("15:04:05")))
		}
	}
	sort.Strings(out)
	return out
}

// ---- clock and source ----

type fakeClock struct {
	mu    sync.Mutex
	now   time.Time
	slept time.Duration
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) Sleep(ctx context.Context, d time.Duration) error {
	c.mu.Lock()
	if d > 0 {
		c.now = c.now.Add(d)
		c.slept += d
	}
	c.mu.Unlock()
	return ctx.Err()
}

func (c *fakeClock) advance(d time.Duration) {
	c.mu.Lock()
	c.now = c.now.Add(d)
	c.mu.Unlock()
}

type harness struct {
	fake  *fakePD
	src   *Source
	sink  *memSink
	clock *fakeClock
	logs  *syncBuffer
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

var _ io.Writer = (*syncBuffer)(nil)

// base is "now" of every scenario: a Friday.
var base = time.Date(2026, 11, 20, 12, 0, 0, 0, time.UTC)

func newHarness(t *testing.T, fill func(f *fakePD), mod func(*Config)) *harness {
	t.Helper()
	f, srv := newFake(t)
	if fill != nil {
		fill(f)
	}
	clk := &fakeClock{now: base}
	logs := &syncBuffer{}
	cfg := Config{
		Name: "pd", BaseURL: srv.URL, Token: testToken, DefaultTimezone: "Europe/London",
		Clock: clk, Jitter: func() float64 { return 0.5 }, Timeout: 2 * time.Second,
	}
	if mod != nil {
		mod(&cfg)
	}
	logger := slog.New(slog.NewJSONHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	src, err := New(cfg, logger)
	if err != nil {
		t.Fatal(err)
	}
	return &harness{fake: f, src: src, sink: newSink(), clock: clk, logs: logs}
}

func (h *harness) sync(t *testing.T) error {
	t.Helper()
	h.sink.mu.Lock()
	cur := h.sink.cursor
	h.sink.mu.Unlock()
	err := h.src.Sync(context.Background(), cur, h.sink)
	if err != nil && strings.Contains(err.Error(), testToken) {
		t.Fatalf("token in error: %v", err)
	}
	if strings.Contains(h.logs.String(), testToken) {
		t.Fatal("token in log output")
	}
	return err
}

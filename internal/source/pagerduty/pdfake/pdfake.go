// Package pdfake is a fake PagerDuty REST API v2 for tests: the real paths, query
// parameters (since, until, limit, offset, total, include[], time_zone, statuses[],
// date_range, is_overview), pagination fields (limit, offset, more, total), limits
// (limit ≤ 100, offset+limit ≤ 10000, /incidents ranges ≤ 6 months), rate-limit headers
// and error bodies ({"error":{"code":…,"message":…}}), serving fixtures built in Go.
//
// The source's conformance test validates every response this fake gives against
// PagerDuty's own openapiv3.json. Scenario fills it with a known account for the source
// tests and the end-to-end test.
package pdfake

import (
	"net/http"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/hero-exporter/hero_exporter/internal/source/sourcetest"
)

// Obj is a JSON object of a fixture.
type Obj = map[string]any

type logEntry struct {
	at  time.Time
	inc string
	o   Obj
}

type team struct {
	o       Obj
	members []string
}

// Server is the fake. It is an http.Handler; serve it with httptest.NewServer.
type Server struct {
	sourcetest.Recorder

	token string

	mu        sync.Mutex
	users     []Obj
	teams     []team
	services  []Obj
	policies  []Obj
	incidents []Obj
	byID      map[string]Obj
	logs      []logEntry
	sorted    []logEntry // logs, newest first; nil when stale
	oncalls   []Obj
	changes   []Obj // newest first

	maxSeen int
}

// New returns an empty fake that accepts token.
func New(token string) *Server {
	return &Server{token: token, byID: map[string]Obj{}}
}

// MaxOffsetSeen is the largest offset+limit any request asked for.
func (f *Server) MaxOffsetSeen() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.maxSeen
}

// Update runs fn with the fake locked, for changing fixtures while it serves.
func (f *Server) Update(fn func()) {
	f.mu.Lock()
	defer f.mu.Unlock()
	fn()
}

func (f *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { f.Handle(w, r, &f.mu, f.serve) }

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("ratelimit-limit", "960")
	w.Header().Set("ratelimit-remaining", "900")
	w.Header().Set("ratelimit-reset", "30")
	sourcetest.WriteJSON(w, status, "application/json; charset=utf-8", v)
}

// APIError writes a PagerDuty error body.
func APIError(w http.ResponseWriter, status, code int, msg string, details ...string) {
	e := Obj{"code": code, "message": msg}
	if len(details) > 0 {
		e["errors"] = details
	}
	writeJSON(w, status, Obj{"error": e})
}

// includes are the include[] values each list endpoint documents.
var includes = map[string][]string{
	"/users":               {"contact_methods", "notification_rules", "teams", "subdomains"},
	"/services":            {"escalation_policies", "teams", "integrations", "auto_pause_notifications_parameters"},
	"/escalation_policies": {"services", "teams", "targets", "current_oncall"},
	"/incidents":           {"acknowledgers", "agents", "assignees", "conference_bridge", "escalation_policies", "first_trigger_log_entries", "priorities", "services", "teams", "users"},
	"/log_entries":         {"incidents", "services", "channels", "teams"},
	"/oncalls":             {"escalation_policies", "users", "schedules"},
	"/change_events":       {},
}

func (f *Server) serve(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet {
		APIError(w, http.StatusNotFound, 2100, "Not Found")
		return
	}
	if r.Header.Get("Authorization") != "Token token="+f.token {
		APIError(w, http.StatusUnauthorized, 2006, "Authentication failed")
		return
	}
	if r.Header.Get("Accept") != "application/vnd.pagerduty+json;version=2" {
		APIError(w, http.StatusBadRequest, 2001, "Invalid Input Provided", "Accept header must select version 2")
		return
	}
	q := r.URL.Query()
	if tz := q.Get("time_zone"); tz != "" && tz != "UTC" {
		APIError(w, http.StatusBadRequest, 2001, "Invalid Input Provided", "the fake only renders UTC")
		return
	}
	// include[] is accepted when documented; the fake returns references either way.
	for _, inc := range q["include[]"] {
		if !slices.Contains(includes[r.URL.Path], inc) {
			APIError(w, http.StatusBadRequest, 2001, "Invalid Input Provided", "include[] "+inc+" is not supported")
			return
		}
	}
	if v := q.Get("is_overview"); v != "" && v != "true" && v != "false" {
		APIError(w, http.StatusBadRequest, 2001, "Invalid Input Provided", "is_overview must be a boolean")
		return
	}
	overview := q.Get("is_overview") == "true"
	parts := strings.Split(strings.Trim(r.URL.Path, "/"), "/")
	switch {
	case r.URL.Path == "/users":
		f.list(w, q, "users", f.users)
	case r.URL.Path == "/teams":
		var teams []Obj
		for _, t := range f.teams {
			teams = append(teams, t.o)
		}
		f.list(w, q, "teams", teams)
	case len(parts) == 3 && parts[0] == "teams" && parts[2] == "members":
		for _, t := range f.teams {
			if t.o["id"] == parts[1] {
				var ms []Obj
				for _, id := range t.members {
					ms = append(ms, Obj{"user": f.UserRef(id), "role": "responder"})
				}
				f.list(w, q, "members", ms)
				return
			}
		}
		APIError(w, http.StatusNotFound, 2100, "Not Found")
	case r.URL.Path == "/services":
		f.list(w, q, "services", f.services)
	case r.URL.Path == "/escalation_policies":
		f.list(w, q, "escalation_policies", f.policies)
	case r.URL.Path == "/incidents":
		f.listIncidents(w, q)
	case len(parts) == 2 && parts[0] == "incidents":
		if in, ok := f.byID[parts[1]]; ok {
			writeJSON(w, http.StatusOK, Obj{"incident": in})
			return
		}
		APIError(w, http.StatusNotFound, 2100, "Not Found")
	case len(parts) == 3 && parts[0] == "incidents" && parts[2] == "log_entries":
		if _, ok := f.byID[parts[1]]; !ok {
			APIError(w, http.StatusNotFound, 2100, "Not Found")
			return
		}
		var out []Obj
		for _, l := range f.sortedLogs() {
			if l.inc == parts[1] && (!overview || isOverview(l.o)) {
				out = append(out, l.o)
			}
		}
		f.list(w, q, "log_entries", out)
	case r.URL.Path == "/log_entries":
		since, until, ok := rangeParams(w, q, 0)
		if !ok {
			return
		}
		var out []Obj
		for _, l := range f.sortedLogs() {
			if !l.at.Before(since) && l.at.Before(until) && (!overview || isOverview(l.o)) {
				out = append(out, l.o)
			}
		}
		f.list(w, q, "log_entries", out)
	case r.URL.Path == "/change_events":
		// since and until are optional; when given they bound timestamp to [since, until).
		var since, until time.Time
		if len(q["since"]) > 0 || len(q["until"]) > 0 {
			var ok bool
			if since, until, ok = rangeParams(w, q, 0); !ok {
				return
			}
		}
		var out []Obj
		for _, c := range f.changes {
			at, _ := time.Parse(time.RFC3339, c["timestamp"].(string))
			if until.IsZero() || !at.Before(since) && at.Before(until) {
				out = append(out, c)
			}
		}
		f.list(w, q, "change_events", out)
	case r.URL.Path == "/oncalls":
		since, until, ok := rangeParams(w, q, 0)
		if !ok {
			return
		}
		var out []Obj
		for _, o := range f.oncalls {
			start, _ := time.Parse(time.RFC3339, o["start"].(string))
			end, _ := time.Parse(time.RFC3339, o["end"].(string))
			if start.Before(until) && end.After(since) {
				out = append(out, o)
			}
		}
		f.list(w, q, "oncalls", out)
	default:
		APIError(w, http.StatusNotFound, 2100, "Not Found")
	}
}

// isOverview: is_overview=true leaves out notifications, as PagerDuty's overview does.
func isOverview(o Obj) bool { return o["type"] != "notify_log_entry" }

// sortedLogs: newest first, as PagerDuty lists log entries.
func (f *Server) sortedLogs() []logEntry {
	if f.sorted == nil {
		f.sorted = slices.Clone(f.logs)
		sort.SliceStable(f.sorted, func(i, j int) bool { return f.sorted[i].at.After(f.sorted[j].at) })
	}
	return f.sorted
}

func rangeParams(w http.ResponseWriter, q map[string][]string, maxRange time.Duration) (time.Time, time.Time, bool) {
	get := func(k string) string {
		if v := q[k]; len(v) > 0 {
			return v[0]
		}
		return ""
	}
	since, err1 := time.Parse(time.RFC3339, get("since"))
	until, err2 := time.Parse(time.RFC3339, get("until"))
	if err1 != nil || err2 != nil || until.Before(since) {
		APIError(w, http.StatusBadRequest, 2001, "Invalid Input Provided", "since and until must be ISO 8601 times")
		return since, until, false
	}
	if maxRange > 0 && until.Sub(since) > maxRange {
		APIError(w, http.StatusBadRequest, 2001, "Invalid Input Provided", "Date range cannot exceed 6 months")
		return since, until, false
	}
	return since, until, true
}

func (f *Server) listIncidents(w http.ResponseWriter, q map[string][]string) {
	all := slices.Clone(f.incidents)
	sort.SliceStable(all, func(i, j int) bool {
		return all[i]["created_at"].(string) < all[j]["created_at"].(string)
	})
	var since, until time.Time
	ranged := !(len(q["date_range"]) > 0 && q["date_range"][0] == "all")
	if ranged {
		var ok bool
		if since, until, ok = rangeParams(w, q, 183*24*time.Hour); !ok {
			return
		}
	}
	var out []Obj
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
func (f *Server) list(w http.ResponseWriter, q map[string][]string, key string, items []Obj) {
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
		APIError(w, http.StatusBadRequest, 2001, "Invalid Input Provided", "limit must be at most 100")
		return
	}
	if limit == 0 {
		limit = 25
	}
	f.maxSeen = max(f.maxSeen, offset+limit)
	if offset+limit > 10000 {
		APIError(w, http.StatusBadRequest, 2001, "Invalid Input Provided", "Offset must be less than 10000.")
		return
	}
	end := min(offset+limit, len(items))
	pageItems := []Obj{}
	if offset < len(items) {
		pageItems = items[offset:end]
	}
	var total any
	if v := q["total"]; len(v) > 0 && v[0] == "true" {
		total = len(items)
	}
	writeJSON(w, http.StatusOK, Obj{
		key: pageItems, "limit": limit, "offset": offset, "more": offset+limit < len(items), "total": total,
	})
}

// ---- fixture builders (call before serving, or inside Update) ----

// TS formats t as PagerDuty renders times with time_zone=UTC.
func TS(t time.Time) string { return t.UTC().Format(time.RFC3339) }

// AddUser adds a user; tz is an IANA name, or nil for a null time_zone.
func (f *Server) AddUser(id, name, email string, tz any) {
	f.users = append(f.users, Obj{"id": id, "type": "user", "summary": name, "name": name, "email": email,
		"self": "https://api.pagerduty.com/users/" + id, "html_url": "https://acme.pagerduty.com/users/" + id,
		"time_zone": tz, "role": "user"})
}

// UserRef is a user_reference to a user added before.
func (f *Server) UserRef(id string) Obj {
	name := id
	for _, u := range f.users {
		if u["id"] == id {
			name = u["name"].(string)
		}
	}
	return Obj{"id": id, "type": "user_reference", "summary": name, "self": "https://api.pagerduty.com/users/" + id}
}

func (f *Server) teamRefs(ids []string) []Obj {
	out := []Obj{}
	for _, id := range ids {
		name := id
		for _, t := range f.teams {
			if t.o["id"] == id {
				name = t.o["name"].(string)
			}
		}
		out = append(out, Obj{"id": id, "type": "team_reference", "summary": name, "self": "https://api.pagerduty.com/teams/" + id})
	}
	return out
}

// AddTeam adds a team with its members (user ids).
func (f *Server) AddTeam(id, name string, members ...string) {
	f.teams = append(f.teams, team{o: Obj{"id": id, "type": "team", "summary": name, "name": name,
		"self": "https://api.pagerduty.com/teams/" + id}, members: members})
}

func (f *Server) name(list []Obj, id string) string {
	for _, o := range list {
		if o["id"] == id {
			return o["name"].(string)
		}
	}
	return id
}

func (f *Server) policyRef(id string) Obj {
	return Obj{"id": id, "type": "escalation_policy_reference", "summary": f.name(f.policies, id),
		"self": "https://api.pagerduty.com/escalation_policies/" + id}
}

// ServiceRef is a service_reference to a service added before.
func (f *Server) ServiceRef(id string) Obj {
	return Obj{"id": id, "type": "service_reference", "summary": f.name(f.services, id),
		"self": "https://api.pagerduty.com/services/" + id}
}

// AddPolicy adds an escalation policy owned by teams.
func (f *Server) AddPolicy(id, name string, teams ...string) {
	f.policies = append(f.policies, Obj{"id": id, "type": "escalation_policy", "summary": name, "name": name,
		"escalation_rules": []Obj{{"id": "R" + id, "escalation_delay_in_minutes": 30,
			"targets": []Obj{{"id": "PSCHED1", "type": "schedule_reference"}}}},
		"teams": f.teamRefs(teams), "num_loops": 0})
}

// AddService adds a service on an escalation policy, owned by teams.
func (f *Server) AddService(id, name, policy string, teams ...string) {
	f.services = append(f.services, Obj{"id": id, "type": "service", "summary": name, "name": name,
		"status": "active", "escalation_policy": f.policyRef(policy), "teams": f.teamRefs(teams)})
}

// Incident describes an incident fixture. Status is triggered, acknowledged or
// resolved; Priority is a priority name ("P1"), "" for none.
type Incident struct {
	ID, Title, Service, Policy, Status, Urgency, Priority, Key string
	Teams                                                      []string
	Created, Resolved                                          time.Time
}

// AddIncident adds an incident and returns its JSON object for further changes.
func (f *Server) AddIncident(s Incident) Obj {
	in := Obj{
		"id": s.ID, "type": "incident", "summary": s.Title, "title": s.Title,
		"self":            "https://api.pagerduty.com/incidents/" + s.ID,
		"incident_number": len(f.incidents) + 1,
		"created_at":      TS(s.Created), "updated_at": TS(s.Created),
		"status": s.Status, "urgency": s.Urgency,
		"service":               f.ServiceRef(s.Service),
		"escalation_policy":     f.policyRef(s.Policy),
		"teams":                 f.teamRefs(s.Teams),
		"assignments":           []Obj{},
		"acknowledgements":      []Obj{},
		"assigned_via":          "escalation_policy",
		"last_status_change_at": TS(s.Created),
	}
	if s.Key != "" {
		in["incident_key"] = s.Key
	}
	if s.Priority != "" {
		in["priority"] = Obj{"id": "PPRI" + s.Priority, "type": "priority", "summary": s.Priority, "name": s.Priority}
	}
	if s.Status == "resolved" {
		in["resolved_at"] = TS(s.Resolved)
		in["last_status_change_at"] = TS(s.Resolved)
		in["updated_at"] = TS(s.Resolved)
	} else {
		in["resolved_at"] = nil
	}
	f.incidents = append(f.incidents, in)
	f.byID[s.ID] = in
	return in
}

// Incident returns the JSON object of an incident added before; it panics when there
// is none (a broken fixture).
func (f *Server) Incident(id string) Obj {
	in, ok := f.byID[id]
	if !ok {
		panic("pdfake: no incident " + id)
	}
	return in
}

// Resolve marks an open incident resolved at t, as PagerDuty does (acknowledgements
// and assignments emptied).
func (f *Server) Resolve(id string, t time.Time) {
	in := f.Incident(id)
	in["status"], in["resolved_at"], in["last_status_change_at"], in["updated_at"] = "resolved", TS(t), TS(t), TS(t)
	in["acknowledgements"], in["assignments"] = []Obj{}, []Obj{}
}

// AddLog appends a log entry of incident inc. agent is a user id, "svc:<id>" for a
// service (an integration acting), or "" for none. extra fields override the defaults.
func (f *Server) AddLog(id, typ, inc string, at time.Time, agent string, extra Obj) {
	in := f.Incident(inc)
	o := Obj{
		"id": id, "type": typ, "summary": strings.ReplaceAll(typ, "_", " "),
		"self":       "https://api.pagerduty.com/log_entries/" + id,
		"created_at": TS(at),
		"incident":   Obj{"id": inc, "type": "incident_reference", "summary": in["title"], "self": "https://api.pagerduty.com/incidents/" + inc},
		"service":    in["service"],
		"teams":      in["teams"],
		"channel":    Obj{"type": "website"},
	}
	if svc, ok := strings.CutPrefix(agent, "svc:"); ok {
		o["agent"] = f.ServiceRef(svc)
		o["channel"] = Obj{"type": "api"}
	} else if agent != "" {
		o["agent"] = f.UserRef(agent)
	}
	for k, v := range extra {
		o[k] = v
	}
	f.logs = append(f.logs, logEntry{at: at, inc: inc, o: o})
	f.sorted = nil
}

// Notify appends a notify_log_entry to user by kind: sms, phone, push or email.
func (f *Server) Notify(id, inc, user, kind string, at time.Time) {
	svc := f.Incident(inc)["service"].(Obj)["id"].(string)
	f.AddLog(id, "notify_log_entry", inc, at, "svc:"+svc, Obj{
		"user":    f.UserRef(user),
		"summary": "Notified " + f.name(f.users, user) + " by " + kind,
		"channel": Obj{"type": "auto", "notification": Obj{"type": kind + "_notification", "status": "success",
			"started_at": TS(at)}},
	})
}

// AddOncall adds an on-call span of user on a policy level.
func (f *Server) AddOncall(user, policy string, level int, start, end time.Time) {
	f.oncalls = append(f.oncalls, Obj{"user": f.UserRef(user), "escalation_policy": f.policyRef(policy),
		"schedule":         Obj{"id": "PSCHED1", "type": "schedule_reference", "summary": "Primary"},
		"escalation_level": level, "start": TS(start), "end": TS(end)})
}

// AddChangeEvent adds a change event on services (ids of services added before; the
// references carry no summary, as in PagerDuty's own example) with custom_details
// details (nil: none).
func (f *Server) AddChangeEvent(id, summary string, at time.Time, details Obj, services ...string) {
	refs := []Obj{}
	for _, sv := range services {
		refs = append(refs, Obj{"id": sv, "type": "service_reference"})
	}
	if details == nil {
		details = Obj{}
	}
	c := Obj{"id": id, "type": "change_event", "summary": summary, "timestamp": TS(at),
		"source": "acme-build-pipeline", "integration": Obj{"id": "PINT1", "type": "inbound_integration_reference"},
		"services": refs, "custom_details": details,
		"links": []Obj{{"href": "https://ci.example.com/builds/" + id, "text": "Build"}}}
	i := sort.Search(len(f.changes), func(i int) bool { return f.changes[i]["timestamp"].(string) < c["timestamp"].(string) })
	f.changes = slices.Insert(f.changes, i, c)
}

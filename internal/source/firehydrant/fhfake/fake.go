// Package fhfake is a fake FireHydrant API for tests: the real paths (/v1/users,
// /v1/teams, /v1/incidents, /v1/incidents/{id}/events, /v1/incidents/{id}/milestones,
// /v1/changes/events), query parameters (page, per_page, created_at_or_after,
// updated_after, types, starts_at),
// pagination objects, ErrorEntity error bodies and the documented 429 body, serving
// fixtures built in Go.
//
// The source's conformance test validates every response this fake gives against
// FireHydrant's own openapi.yaml. Scenario fills it with a known organisation.
package fhfake

import (
	"net/http"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/hero-exporter/hero_exporter/internal/source/sourcetest"
)

// Obj is a JSON object.
type Obj = map[string]any

// User is a FireHydrant user.
type User struct{ ID, Name, Email string }

// Team is a team with its members' user ids.
type Team struct {
	ID, Name string
	Members  []string
}

// Author is who changed something; Source is the actor type (firehydrant_user,
// firehydrant_bot, slack …).
type Author struct{ ID, Name, Email, Source string }

// Milestone is one reached milestone of an incident.
type Milestone struct {
	ID, Slug string
	At       time.Time
	By       *Author
}

// Role is a role assignment.
type Role struct {
	ID, User, Role string
	At             time.Time
}

// Event is a timeline event.
type Event struct {
	ID, Type string
	At       time.Time
	By       *Author
}

// Incident is a FireHydrant incident.
type Incident struct {
	ID, Name, Severity string
	Team, Service      string // ids
	Created, Updated   time.Time
	Milestones         []Milestone
	// NoPhases leaves lifecycle_phases (and the deprecated milestones) out of the
	// incident, as for an organisation on the older milestone API: the milestones are
	// then only served by /v1/incidents/{id}/milestones.
	NoPhases bool
	Roles    []Role
	Events   []Event
}

// Server is the fake.
type Server struct {
	sourcetest.Recorder

	token string

	mu        sync.Mutex
	users     []User
	teams     []Team
	services  map[string]string
	incidents []*Incident
	changes   []ChangeEvent
}

// ChangeEvent is a change event on services (ids of services added before).
type ChangeEvent struct {
	ID, Summary string
	Starts      time.Time
	Services    []string
	Labels      Obj
}

// AddChangeEvent adds a change event.
func (f *Server) AddChangeEvent(c ChangeEvent) { f.Update(func() { f.changes = append(f.changes, c) }) }

// New returns an empty fake that accepts token.
func New(token string) *Server { return &Server{token: token, services: map[string]string{}} }

// Update runs fn with the fake locked.
func (f *Server) Update(fn func()) {
	f.mu.Lock()
	defer f.mu.Unlock()
	fn()
}

// AddUser adds a user.
func (f *Server) AddUser(u User) { f.Update(func() { f.users = append(f.users, u) }) }

// AddTeam adds a team.
func (f *Server) AddTeam(t Team) { f.Update(func() { f.teams = append(f.teams, t) }) }

// AddService adds a service.
func (f *Server) AddService(id, name string) { f.Update(func() { f.services[id] = name }) }

// AddIncident adds in; Updated defaults to the latest of its times.
func (f *Server) AddIncident(in Incident) {
	if in.Updated.IsZero() {
		in.Updated = in.Created
		for _, m := range in.Milestones {
			in.Updated = later(in.Updated, m.At)
		}
		for _, e := range in.Events {
			in.Updated = later(in.Updated, e.At)
		}
		for _, r := range in.Roles {
			in.Updated = later(in.Updated, r.At)
		}
	}
	f.Update(func() { f.incidents = append(f.incidents, &in) })
}

func later(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}

// Incident returns the stored incident, for changes inside Update.
func (f *Server) Incident(id string) *Incident {
	for _, in := range f.incidents {
		if in.ID == id {
			return in
		}
	}
	return nil
}

func (f *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { f.Handle(w, r, &f.mu, f.serve) }

func writeJSON(w http.ResponseWriter, status int, v any) {
	sourcetest.WriteJSON(w, status, "application/json", v)
}

// APIError writes an ErrorEntity body.
func APIError(w http.ResponseWriter, status int, code, detail string, messages ...string) {
	e := Obj{"code": code, "detail": detail}
	if len(messages) > 0 {
		e["messages"] = messages
	}
	writeJSON(w, status, e)
}

// RateLimited writes FireHydrant's documented 429: {"error": "rate limit exceeded"};
// the caller sets Retry-After when it wants one.
func RateLimited(w http.ResponseWriter) {
	w.Header().Set("RateLimit-Limit", "50")
	writeJSON(w, http.StatusTooManyRequests, Obj{"error": "rate limit exceeded"})
}

// Time renders t as FireHydrant does.
func Time(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000Z") }

func epoch() time.Time { return time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC) }

func (f *Server) serve(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet {
		APIError(w, http.StatusNotFound, "not_found", "Not Found")
		return
	}
	if r.Header.Get("Authorization") != "Bearer "+f.token {
		APIError(w, http.StatusUnauthorized, "unauthorized", "Unauthorized", "invalid bot token")
		return
	}
	q := r.URL.Query()
	parts := strings.Split(strings.Trim(r.URL.Path, "/"), "/")
	switch {
	case r.URL.Path == "/v1/users":
		var out []Obj
		for _, u := range f.users {
			out = append(out, f.userObj(u.ID))
		}
		f.list(w, q, out)
	case r.URL.Path == "/v1/teams":
		var out []Obj
		for _, t := range f.teams {
			ms := []Obj{}
			for _, id := range t.Members {
				ms = append(ms, Obj{"user": f.userObj(id)})
			}
			out = append(out, Obj{"id": t.ID, "name": t.Name, "slug": strings.ToLower(t.Name), "description": "",
				"created_at": Time(epoch()), "updated_at": Time(epoch()), "memberships": ms})
		}
		f.list(w, q, out)
	case r.URL.Path == "/v1/incidents":
		f.listIncidents(w, q)
	case r.URL.Path == "/v1/changes/events":
		f.listChangeEvents(w, q)
	case len(parts) == 4 && parts[1] == "incidents" && (parts[3] == "events" || parts[3] == "milestones"):
		in := f.Incident(parts[2])
		if in == nil {
			APIError(w, http.StatusNotFound, "not_found", "Record not found", "incident "+parts[2]+" does not exist")
			return
		}
		if parts[3] == "milestones" {
			var out []Obj
			for _, m := range in.Milestones {
				out = append(out, Obj{"id": m.ID, "type": m.Slug, "occurred_at": Time(m.At),
					"created_at": Time(m.At), "updated_at": Time(m.At)})
			}
			f.list(w, q, out)
			return
		}
		var types []string
		if v := q.Get("types"); v != "" {
			types = strings.Split(v, ",")
		}
		var out []Obj
		evs := slices.Clone(in.Events)
		sort.SliceStable(evs, func(i, j int) bool { return evs[i].At.Before(evs[j].At) })
		for _, e := range evs {
			if types != nil && !slices.Contains(types, e.Type) {
				continue
			}
			o := Obj{"id": e.ID, "incident_id": in.ID, "type": e.Type, "context": "", "data": Obj{},
				"occurred_at": Time(e.At), "visibility": "private_to_org"}
			if e.By != nil {
				o["author"] = authorObj(e.By)
			}
			out = append(out, o)
		}
		f.list(w, q, out)
	default:
		APIError(w, http.StatusNotFound, "not_found", "Not Found")
	}
}

func (f *Server) userObj(id string) Obj {
	for _, u := range f.users {
		if u.ID == id {
			return Obj{"id": u.ID, "name": u.Name, "email": u.Email, "slack_linked?": false,
				"created_at": Time(epoch()), "updated_at": Time(epoch())}
		}
	}
	return Obj{"id": id}
}

func authorObj(a *Author) Obj {
	return Obj{"id": a.ID, "name": a.Name, "email": a.Email, "source": a.Source}
}

// list writes one page (page, per_page ≤ 200; default 20) with a pagination object.
func (f *Server) list(w http.ResponseWriter, q map[string][]string, all []Obj) {
	page, ok1 := sourcetest.PageParam(q, "page", 1)
	per, ok2 := sourcetest.PageParam(q, "per_page", 20)
	if !ok1 || !ok2 || per > 200 {
		APIError(w, http.StatusBadRequest, "invalid_params", "Invalid parameters", "per_page must be 1..200")
		return
	}
	if all == nil {
		all = []Obj{}
	}
	count := len(all)
	pages := max(1, (count+per-1)/per)
	lo := min((page-1)*per, count)
	hi := min(lo+per, count)
	var next, prev any
	if page < pages {
		next = page + 1
	}
	if page > 1 {
		prev = page - 1
	}
	writeJSON(w, http.StatusOK, Obj{"data": all[lo:hi], "pagination": Obj{
		"count": count, "page": page, "items": hi - lo, "pages": pages, "last": pages, "prev": prev, "next": next}})
}

func (f *Server) listIncidents(w http.ResponseWriter, q map[string][]string) {
	var after, updated time.Time
	for _, p := range []struct {
		k   string
		dst *time.Time
	}{{"created_at_or_after", &after}, {"updated_after", &updated}} {
		if vs := q[p.k]; len(vs) > 0 && vs[0] != "" {
			t, err := time.Parse(time.RFC3339, vs[0])
			if err != nil {
				APIError(w, http.StatusBadRequest, "invalid_params", "Invalid parameters", p.k+" is not a date-time")
				return
			}
			*p.dst = t
		}
	}
	var sel []*Incident
	for _, in := range f.incidents {
		if !in.Created.Before(after) && (updated.IsZero() || in.Updated.After(updated)) {
			sel = append(sel, in)
		}
	}
	// Newest first, as FireHydrant lists incidents.
	sort.SliceStable(sel, func(i, j int) bool {
		if !sel[i].Created.Equal(sel[j].Created) {
			return sel[i].Created.After(sel[j].Created)
		}
		return sel[i].ID < sel[j].ID
	})
	out := make([]Obj, len(sel))
	for i, in := range sel {
		out[i] = f.incidentObj(in)
	}
	f.list(w, q, out)
}

// listChangeEvents serves /v1/changes/events, newest first; starts_at keeps the events
// that start at or after it.
func (f *Server) listChangeEvents(w http.ResponseWriter, q map[string][]string) {
	var from time.Time
	if vs := q["starts_at"]; len(vs) > 0 && vs[0] != "" {
		t, err := time.Parse(time.RFC3339, vs[0])
		if err != nil {
			APIError(w, http.StatusBadRequest, "invalid_params", "Invalid parameters", "starts_at is not a date-time")
			return
		}
		from = t
	}
	sel := slices.Clone(f.changes)
	sort.SliceStable(sel, func(i, j int) bool { return sel[i].Starts.After(sel[j].Starts) })
	var out []Obj
	for _, c := range sel {
		if c.Starts.Before(from) {
			continue
		}
		svcs := []Obj{}
		for _, id := range c.Services {
			svcs = append(svcs, Obj{"id": id, "name": f.services[id], "slug": strings.ToLower(f.services[id]),
				"description": "", "service_tier": 2, "created_at": Time(epoch()), "updated_at": Time(epoch()),
				"labels": Obj{}, "allowed_params": []string{}, "alert_on_add": false, "auto_add_responding_team": false})
		}
		labels := c.Labels
		if labels == nil {
			labels = Obj{}
		}
		out = append(out, Obj{"id": c.ID, "summary": c.Summary, "description": "", "external_id": "ext-" + c.ID,
			"created_at": Time(c.Starts), "updated_at": Time(c.Starts), "starts_at": Time(c.Starts), "ends_at": nil,
			"duration_ms": nil, "duration_iso8601": nil, "environments": []Obj{{"id": "env-prod", "name": "production",
				"slug": "production", "description": "", "created_at": Time(epoch()), "updated_at": Time(epoch())}},
			"authors": []Obj{{"id": "ci", "name": "CI", "source": "github", "email": ""}}, "labels": labels, "services": svcs})
	}
	f.list(w, q, out)
}

type lifecycleMilestone struct{ phase, slug string }

// lifecycle is the default milestone order.
func lifecycle() []lifecycleMilestone {
	return []lifecycleMilestone{
		{"started", "started"}, {"started", "detected"}, {"started", "acknowledged"}, {"active", "investigating"},
		{"active", "identified"}, {"active", "mitigated"}, {"post_incident", "resolved"}, {"post_incident", "closed"},
	}
}

func (f *Server) incidentObj(in *Incident) Obj {
	reached := map[string]Milestone{}
	current := ""
	for _, m := range in.Milestones {
		reached[m.Slug] = m
		current = m.Slug
	}
	active := current != "resolved" && current != "closed"
	o := Obj{"id": in.ID, "name": in.Name, "number": 1, "created_at": Time(in.Created), "started_at": Time(in.Created),
		"summary": "", "description": "", "current_milestone": current, "severity": in.Severity, "priority": "",
		"tag_list": []string{}, "active": active, "labels": Obj{}, "incident_url": "https://app.firehydrant.io/incidents/" + in.ID}
	if !in.NoPhases {
		var phases []Obj
		idx := map[string]int{}
		for i, l := range lifecycle() {
			if _, ok := idx[l.phase]; !ok {
				idx[l.phase] = len(phases)
				phases = append(phases, Obj{"id": "ph-" + l.phase, "name": l.phase, "type": l.phase, "position": len(phases), "milestones": []Obj{}})
			}
			mo := Obj{"id": "lm-" + l.slug, "name": l.slug, "slug": l.slug, "position": i}
			// The id is the milestone definition's, the same in every incident (the
			// older /milestones endpoint has per-incident ids).
			if m, ok := reached[l.slug]; ok {
				mo["occurred_at"] = Time(m.At)
				mo["updated_at"] = Time(m.At)
				if m.By != nil {
					mo["updated_by"] = authorObj(m.By)
				}
			}
			ph := phases[idx[l.phase]]
			ph["milestones"] = append(ph["milestones"].([]Obj), mo)
		}
		o["lifecycle_phases"] = phases
	}
	roles := []Obj{}
	for _, ro := range in.Roles {
		roles = append(roles, Obj{"id": ro.ID, "status": "active", "created_at": Time(ro.At), "updated_at": Time(ro.At),
			"incident_role": Obj{"id": "role-" + ro.Role, "name": ro.Role}, "user": f.userObj(ro.User)})
	}
	o["role_assignments"] = roles
	teams := []Obj{}
	if in.Team != "" {
		name := in.Team
		for _, t := range f.teams {
			if t.ID == in.Team {
				name = t.Name
			}
		}
		teams = append(teams, Obj{"id": "ta-" + in.ID, "status": "active", "created_at": Time(in.Created),
			"updated_at": Time(in.Created), "team": Obj{"id": in.Team, "name": name}})
	}
	o["team_assignments"] = teams
	svcs := []Obj{}
	if in.Service != "" {
		svcs = append(svcs, Obj{"id": in.Service, "name": f.services[in.Service]})
	}
	o["services"] = svcs
	// What changes with every update, as the last update does in FireHydrant.
	o["last_update"] = Time(in.Updated)
	return o
}

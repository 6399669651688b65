package grafanaoncall

import (
	"context"
	"net/url"
	"sort"
	"strings"
	"time"

	"github.com/hero-exporter/hero_exporter/internal/incident"
	"github.com/hero-exporter/hero_exporter/internal/source"
	"github.com/hero-exporter/hero_exporter/internal/source/alertmanager"
)

// severityLabel is the alert group label whose value is the severity, mapped as the
// Alertmanager receiver maps its severity label (critical, high, low, else unknown).
// Without it (the reference's alert groups carry no labels) the severity is unknown.
const severityLabel = "severity"

// reference reads teams, users (with their teams and time zones), integrations,
// routes, escalation policies, schedules and the final shifts of every schedule an
// escalation chain notifies, from shiftsFrom to a day ahead. It returns people and
// teams as a batch, fills the run's integration and route maps, and collects shifts.
func (r *run) reference(ctx context.Context, shiftsFrom time.Time) (source.Batch, error) {
	s := r.s
	var b source.Batch
	none := url.Values{}

	teamNames := map[string]string{}
	var teamIDs []string
	err := fetchAll(ctx, s, "/api/v1/teams/", none, nil, func(t team) {
		if _, ok := teamNames[t.ID]; !ok {
			teamIDs = append(teamIDs, t.ID)
		}
		teamNames[t.ID] = t.Name
	})
	if err != nil {
		return b, err
	}
	teamName := func(id *string) string {
		if id == nil || *id == "" {
			return ""
		}
		if n := teamNames[*id]; n != "" {
			return n
		}
		return *id // a team the list did not show: its id is better than nothing
	}

	members := map[string][]string{}
	err = fetchAll(ctx, s, "/api/v1/users/", none, nil, func(u user) {
		tz := s.cfg.DefaultTimezone
		if u.Timezone != nil && *u.Timezone != "" {
			if _, err := time.LoadLocation(*u.Timezone); err == nil {
				tz = *u.Timezone
			} else {
				s.logger.Warn("user has an unknown time zone; using the default", "user", u.ID, "timezone", *u.Timezone)
			}
		}
		name := u.Username
		if name == "" {
			name = u.Email
		}
		b.People = append(b.People, incident.Person{Source: s.cfg.Name, ID: u.ID, Name: name, Email: u.Email, TimeZone: tz})
		for _, t := range u.Teams {
			members[t] = append(members[t], u.ID)
		}
	})
	if err != nil {
		return b, err
	}
	for _, id := range teamIDs {
		m := members[id]
		sort.Strings(m)
		if m == nil {
			m = []string{}
		}
		b.Teams = append(b.Teams, incident.Team{Source: s.cfg.Name, Name: teamNames[id], Members: m})
	}

	r.integrations = map[string]integ{}
	err = fetchAll(ctx, s, "/api/v1/integrations/", none, nil, func(i integration) {
		ig := integ{Team: teamName(i.TeamID), Service: strings.TrimSpace(i.Name)}
		if i.DefaultRoute != nil && i.DefaultRoute.EscalationChainID != nil {
			ig.Chain = *i.DefaultRoute.EscalationChainID
		}
		r.integrations[i.ID] = ig
	})
	if err != nil {
		return b, err
	}
	r.routes = map[string]string{}
	err = fetchAll(ctx, s, "/api/v1/routes/", none, nil, func(rt route) {
		if rt.EscalationChainID != nil {
			r.routes[rt.ID] = *rt.EscalationChainID
		}
	})
	if err != nil {
		return b, err
	}
	if len(r.integrations) == 0 {
		r.integrations = nil
	}
	if len(r.routes) == 0 {
		r.routes = nil
	}

	// Which escalation chains notify the on-call people of which schedule.
	chainsOf := map[string][]string{}
	err = fetchAll(ctx, s, "/api/v1/escalation_policies/", none, nil, func(e escalationPolicy) {
		if e.Type == "notify_on_call_from_schedule" && e.Schedule != nil && *e.Schedule != "" {
			if !contains(chainsOf[*e.Schedule], e.EscalationChainID) {
				chainsOf[*e.Schedule] = append(chainsOf[*e.Schedule], e.EscalationChainID)
			}
		}
	})
	if err != nil {
		return b, err
	}
	var schedules []string
	err = fetchAll(ctx, s, "/api/v1/schedules/", none, nil, func(sc schedule) {
		if len(chainsOf[sc.ID]) > 0 {
			schedules = append(schedules, sc.ID)
		}
	})
	if err != nil {
		return b, err
	}
	until := r.now.Add(shiftLookahead)
	for _, id := range schedules {
		chains := chainsOf[id]
		sort.Strings(chains)
		if err := r.readShifts(ctx, id, chains, shiftsFrom, until); err != nil {
			return b, err
		}
	}
	return b, nil
}

func contains(xs []string, x string) bool {
	for _, y := range xs {
		if y == x {
			return true
		}
	}
	return false
}

// readShifts reads a schedule's final shifts between the dates of from and until (both
// inclusive), in ranges of at most 365 days, as one shift per escalation chain that
// notifies the schedule.
func (r *run) readShifts(ctx context.Context, schedule string, chains []string, from, until time.Time) error {
	s := r.s
	path := "/api/v1/schedules/" + url.PathEscape(schedule) + "/final_shifts"
	day := func(t time.Time) time.Time {
		y, m, d := t.UTC().Date()
		return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
	}
	last := day(until)
	for start := day(from); !start.After(last); {
		end := start.Add(maxShiftRange - 24*time.Hour) // 365 days including both ends
		if end.After(last) {
			end = last
		}
		q := url.Values{"start_date": {start.Format(time.DateOnly)}, "end_date": {end.Format(time.DateOnly)}}
		err := fetchAll(ctx, s, path, q, nil, func(fs finalShift) {
			st, en := fs.ShiftStart.UTC(), fs.ShiftEnd.UTC()
			for _, c := range chains {
				id := strings.Join([]string{c, schedule, fs.UserPK, st.Format(time.RFC3339)}, "/")
				r.shifts[id] = incident.Shift{Source: s.cfg.Name, ID: id, PersonID: fs.UserPK,
					EscalationPolicy: c, Level: 1, Start: st, End: en}
			}
		})
		if err != nil {
			return err
		}
		start = end.Add(24 * time.Hour)
	}
	return nil
}

// mapAll turns the run's alert groups, notes and shifts into model records.
func (r *run) mapAll() *source.Batch {
	name := r.s.cfg.Name
	b := &source.Batch{}
	for _, id := range sortedKeys(r.groups) {
		g := r.groups[id]
		b.Incidents = append(b.Incidents, r.mapGroup(g))
		if u := deref(g.AcknowledgedBy); u != "" && g.AcknowledgedAt != nil {
			b.Engagements = append(b.Engagements, incident.Engagement{Source: name, ID: "ack/" + g.ID + "/" + u,
				IncidentID: g.ID, PersonID: u, Kind: incident.EngageAcknowledge, At: g.AcknowledgedAt.UTC()})
		}
		if u := deref(g.ResolvedBy); u != "" && g.ResolvedAt != nil && g.resolved() {
			b.Engagements = append(b.Engagements, incident.Engagement{Source: name, ID: "resolve/" + g.ID + "/" + u,
				IncidentID: g.ID, PersonID: u, Kind: incident.EngageResolve, At: g.ResolvedAt.UTC()})
		}
	}
	for _, id := range sortedKeys(r.notes) {
		n := r.notes[id]
		if u := deref(n.Author); u != "" {
			b.Engagements = append(b.Engagements, incident.Engagement{Source: name, ID: "note/" + n.ID,
				IncidentID: n.AlertGroupID, PersonID: u, Kind: incident.EngageNote, At: n.CreatedAt.UTC()})
		}
	}
	for _, id := range sortedKeys(r.shifts) {
		b.Shifts = append(b.Shifts, r.shifts[id])
	}
	return b
}

func (r *run) mapGroup(g *alertGroup) incident.Incident {
	in := incident.Incident{
		Source:         r.s.cfg.Name,
		ID:             g.ID,
		Title:          deref(g.Title),
		Severity:       alertmanager.Severity(g.label(severityLabel)),
		CreatedAt:      g.CreatedAt.UTC(),
		AcknowledgedAt: r.firstAck(g),
	}
	var ig integ
	if g.IntegrationID != nil {
		ig = r.integrations[*g.IntegrationID]
	}
	in.Team, in.Service, in.EscalationPolicy = ig.Team, ig.Service, ig.Chain
	if g.RouteID != nil {
		if c := r.routes[*g.RouteID]; c != "" {
			in.EscalationPolicy = c
		}
	}
	if g.resolved() {
		in.ResolvedAt = in.CreatedAt // resolved without resolved_at: no duration to claim
		if g.ResolvedAt != nil && !g.ResolvedAt.Before(*g.CreatedAt) {
			in.ResolvedAt = g.ResolvedAt.UTC()
		}
	}
	return in
}

func deref(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}

package store

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/hero-exporter/hero_exporter/internal/incident"
)

// The queries of LoadHistory, one per table. live_until (see the schema) turns
// "created ≥ since OR unresolved OR resolved ≥ since" into one index range. Pages and
// engagements are read by walking the selected incidents (CROSS JOIN fixes that
// order) and reading each one's contiguous run of the clustered table.
const (
	loadSources     = `SELECT name, cap_people, cap_pages, cap_engagements, cap_oncall FROM sources`
	loadPeople      = `SELECT source, id, name, email, time_zone FROM people`
	loadTeams       = `SELECT source, name FROM teams`
	loadTeamMembers = `SELECT source, team, person_id FROM team_members ORDER BY source, team, pos`
	loadIncidents   = `SELECT source, id, title, team, service, severity, escalation_policy, recurrence_key,
	created_at, acknowledged_at, resolved_at FROM incidents WHERE live_until >= ?`
	loadPages = `SELECT p.source, p.id, p.incident_id, p.person_id, p.at, p.channel
FROM incidents AS i CROSS JOIN pages AS p ON p.source = i.source AND p.incident_id = i.id
WHERE i.live_until >= ?`
	loadEngagements = `SELECT e.source, e.id, e.incident_id, e.person_id, e.kind, e.at
FROM incidents AS i CROSS JOIN engagements AS e ON e.source = i.source AND e.incident_id = i.id
WHERE i.live_until >= ?`
	loadShifts = `SELECT source, id, person_id, escalation_policy, level, start_at, end_at
FROM shifts WHERE live_until >= ?`
	loadTotals = `SELECT source, team, severity, n FROM incident_totals WHERE n > 0`
)

// LoadHistory reads what the analytics need: all sources, people and teams (with
// members); the incidents created at or after since, still open, or resolved at or
// after since, with their pages and engagements; the shifts that end at or after
// since or are open-ended; and CreatedTotals, the count of every stored incident by
// (source, team, severity). Values are as stored: an unassigned team is "".
//
// All queries read one snapshot of the database. Repeated strings (sources, teams,
// services, people's ids, ...) share memory.
func (s *Store) LoadHistory(ctx context.Context, since time.Time) (*incident.History, error) {
	tx, err := s.db.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return nil, fmt.Errorf("store: load history: begin: %w", err)
	}
	defer tx.Rollback()

	l := &loader{ctx: ctx, tx: tx, in: make(interner, 1024)}
	sinceMs := since.UnixMilli()
	if since.IsZero() {
		sinceMs = 0
	}
	h := &incident.History{Sources: map[string]incident.Capabilities{}}
	steps := []struct {
		what string
		fn   func(*incident.History, int64) error
	}{
		{"sources", l.sources},
		{"people", l.people},
		{"teams", l.teams},
		{"incidents", l.incidents},
		{"pages", l.pages},
		{"engagements", l.engagements},
		{"shifts", l.shifts},
		{"incident totals", l.totals},
	}
	for _, st := range steps {
		if err := st.fn(h, sinceMs); err != nil {
			return nil, fmt.Errorf("store: load %s: %w", st.what, err)
		}
	}
	return h, nil
}

// interner hands out one copy of each repeated string.
type interner map[string]string

func (in interner) get(s string) string {
	if s == "" {
		return ""
	}
	if v, ok := in[s]; ok {
		return v
	}
	in[s] = s
	return s
}

// loader runs the queries of one LoadHistory.
type loader struct {
	ctx context.Context
	tx  *sql.Tx
	in  interner
}

// each runs query and calls fn with the values of each row. It scans into []any, so
// database/sql hands over the driver's values without reflection; fn type-asserts.
func (l *loader) each(query string, ncols int, fn func(v []any) error, args ...any) error {
	rows, err := l.tx.QueryContext(l.ctx, query, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	vals := make([]any, ncols)
	ptrs := make([]any, ncols)
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	for rows.Next() {
		if err := rows.Scan(ptrs...); err != nil {
			return err
		}
		if err := fn(vals); err != nil {
			return err
		}
	}
	return rows.Err()
}

// str returns v as a string: TEXT comes as string, NULL as nil.
func str(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case []byte:
		return string(x)
	case nil:
		return ""
	}
	return fmt.Sprint(v)
}

// num returns v as an int64: INTEGER comes as int64, NULL as nil.
func num(v any) int64 {
	switch x := v.(type) {
	case int64:
		return x
	case float64:
		return int64(x)
	}
	return 0
}

func (l *loader) sources(h *incident.History, _ int64) error {
	return l.each(loadSources, 5, func(v []any) error {
		h.Sources[l.in.get(str(v[0]))] = incident.Capabilities{
			People:      num(v[1]) != 0,
			Pages:       num(v[2]) != 0,
			Engagements: num(v[3]) != 0,
			OnCall:      num(v[4]) != 0,
		}
		return nil
	})
}

func (l *loader) people(h *incident.History, _ int64) error {
	return l.each(loadPeople, 5, func(v []any) error {
		h.People = append(h.People, incident.Person{
			Source:   l.in.get(str(v[0])),
			ID:       l.in.get(str(v[1])),
			Name:     str(v[2]),
			Email:    str(v[3]),
			TimeZone: l.in.get(str(v[4])),
		})
		return nil
	})
}

func (l *loader) teams(h *incident.History, _ int64) error {
	type key struct{ source, team string }
	idx := map[key]int{}
	err := l.each(loadTeams, 2, func(v []any) error {
		t := incident.Team{Source: l.in.get(str(v[0])), Name: l.in.get(str(v[1]))}
		idx[key{t.Source, t.Name}] = len(h.Teams)
		h.Teams = append(h.Teams, t)
		return nil
	})
	if err != nil {
		return err
	}
	return l.each(loadTeamMembers, 3, func(v []any) error {
		i, ok := idx[key{str(v[0]), str(v[1])}]
		if !ok {
			return nil // cannot happen: the foreign key keeps members with their team
		}
		h.Teams[i].Members = append(h.Teams[i].Members, l.in.get(str(v[2])))
		return nil
	})
}

func (l *loader) incidents(h *incident.History, since int64) error {
	return l.each(loadIncidents, 11, func(v []any) error {
		h.Incidents = append(h.Incidents, incident.Incident{
			Source:           l.in.get(str(v[0])),
			ID:               str(v[1]),
			Title:            str(v[2]),
			Team:             l.in.get(str(v[3])),
			Service:          l.in.get(str(v[4])),
			Severity:         incident.Severity(l.in.get(str(v[5]))),
			EscalationPolicy: l.in.get(str(v[6])),
			RecurrenceKey:    str(v[7]),
			CreatedAt:        fromMillis(num(v[8])),
			AcknowledgedAt:   fromMillis(num(v[9])),
			ResolvedAt:       fromMillis(num(v[10])),
		})
		return nil
	}, since)
}

func (l *loader) pages(h *incident.History, since int64) error {
	return l.each(loadPages, 6, func(v []any) error {
		h.Pages = append(h.Pages, incident.Page{
			Source:     l.in.get(str(v[0])),
			ID:         str(v[1]),
			IncidentID: str(v[2]),
			PersonID:   l.in.get(str(v[3])),
			At:         fromMillis(num(v[4])),
			Channel:    l.in.get(str(v[5])),
		})
		return nil
	}, since)
}

func (l *loader) engagements(h *incident.History, since int64) error {
	return l.each(loadEngagements, 6, func(v []any) error {
		h.Engagements = append(h.Engagements, incident.Engagement{
			Source:     l.in.get(str(v[0])),
			ID:         str(v[1]),
			IncidentID: str(v[2]),
			PersonID:   l.in.get(str(v[3])),
			Kind:       l.in.get(str(v[4])),
			At:         fromMillis(num(v[5])),
		})
		return nil
	}, since)
}

func (l *loader) shifts(h *incident.History, since int64) error {
	return l.each(loadShifts, 7, func(v []any) error {
		h.Shifts = append(h.Shifts, incident.Shift{
			Source:           l.in.get(str(v[0])),
			ID:               str(v[1]),
			PersonID:         l.in.get(str(v[2])),
			EscalationPolicy: l.in.get(str(v[3])),
			Level:            int(num(v[4])),
			Start:            fromMillis(num(v[5])),
			End:              fromMillis(num(v[6])),
		})
		return nil
	}, since)
}

func (l *loader) totals(h *incident.History, _ int64) error {
	return l.each(loadTotals, 4, func(v []any) error {
		h.CreatedTotals = append(h.CreatedTotals, incident.CreatedCount{
			Source:   l.in.get(str(v[0])),
			Team:     l.in.get(str(v[1])),
			Severity: incident.Severity(l.in.get(str(v[2]))),
			Count:    int(num(v[3])),
		})
		return nil
	})
}

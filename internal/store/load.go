package store

import (
	"context"
	"database/sql/driver"
	"errors"
	"fmt"
	"io"
	"math"
	"time"

	"github.com/hero-exporter/hero_exporter/internal/incident"
)

// The queries of LoadHistory, one per table. live_until (see the schema) turns
// "created ≥ since OR unresolved OR resolved ≥ since" into one index range. Pages and
// engagements are read by walking the selected incidents (CROSS JOIN fixes that
// order) and reading each one's contiguous run of the clustered table; they come
// with the incident's rowid rather than its id, which the loader already has.
const (
	loadSources     = `SELECT source, cap_people, cap_pages, cap_engagements, cap_oncall FROM sources`
	loadPeople      = `SELECT source, person, name, email, time_zone FROM people`
	loadTeams       = `SELECT source, team FROM teams`
	loadTeamMembers = `SELECT source, team, person FROM team_members ORDER BY source, team, pos`
	loadIncidents   = `SELECT source, id, title, team, service, severity, escalation_policy, recurrence_key,
	created_at, acknowledged_at, resolved_at, rowid FROM incidents WHERE live_until >= ?`
	loadPages = `SELECT p.source, p.id, i.rowid, p.person, p.at, p.channel
FROM incidents AS i CROSS JOIN pages AS p ON p.source = i.source AND p.incident_id = i.id
WHERE i.live_until >= ?`
	loadEngagements = `SELECT e.source, e.id, i.rowid, e.person, e.kind, e.at
FROM incidents AS i CROSS JOIN engagements AS e ON e.source = i.source AND e.incident_id = i.id
WHERE i.live_until >= ?`
	loadShifts = `SELECT source, id, person, escalation_policy, level, start_at, end_at
FROM shifts WHERE live_until >= ?`
	loadChanges = `SELECT source, id, team, service, kind, at FROM changes WHERE at >= ?`
	loadTotals  = `SELECT source, team, severity, n FROM incident_totals WHERE n > 0`
)

// LoadHistory reads what the analytics need: all sources, people and teams (with
// members); the incidents created at or after since, still open, or resolved at or
// after since, with their pages and engagements; the shifts that end at or after
// since or are open-ended; and CreatedTotals, the count of every stored incident by
// (source, team, severity); and the changes at or after since. Values are as stored:
// an unassigned team is "".
//
// All queries read one snapshot of the database. Records come in no particular order
// (incidents roughly by resolution, open ones last; pages and engagements grouped by
// incident). Repeated strings (sources, teams, services, people's ids, ...) are one Go
// string each, shared by all records and all loads; the caller owns the returned
// History and its slices.
func (s *Store) LoadHistory(ctx context.Context, since time.Time) (*incident.History, error) {
	return s.loadHistory(ctx, sinceMillis(since), nil)
}

// sinceMillis is since in unix milliseconds, the zero time meaning everything.
func sinceMillis(since time.Time) int64 {
	if since.IsZero() {
		return math.MinInt64
	}
	return since.UnixMilli()
}

// loadHistory is LoadHistory; also, when not nil, runs in the same read transaction
// after the history is read.
func (s *Store) loadHistory(ctx context.Context, sinceMs int64, also func(l *loader) error) (*incident.History, error) {
	h := &incident.History{Sources: map[string]incident.Capabilities{}}
	err := s.read(ctx, func(l *loader) error {
		// Size the slices like the last load's, with some room, or else by an
		// estimate, to spare the regrowth (and its garbage: as much again as a large
		// slice holds).
		hint, room := s.loadHint.Load(), 8
		if hint == nil {
			var err error
			if hint, err = l.estimate(sinceMs); err != nil {
				return fmt.Errorf("estimate sizes: %w", err)
			}
			room = 32
		}
		h.People = make([]incident.Person, 0, hint.people+hint.people/room)
		h.Incidents = make([]incident.Incident, 0, hint.incidents+hint.incidents/room)
		h.Pages = make([]incident.Page, 0, hint.pages+hint.pages/room)
		h.Engagements = make([]incident.Engagement, 0, hint.engagements+hint.engagements/room)
		h.Shifts = make([]incident.Shift, 0, hint.shifts+hint.shifts/room)
		l.rowids = make([]int64, 0, cap(h.Incidents))
		if err := l.load(h, sinceMs); err != nil || also == nil {
			return err
		}
		return also(l)
	})
	if err != nil {
		return nil, fmt.Errorf("store: load history: %w", err)
	}
	s.loadHint.Store(&loadHint{people: len(h.People), incidents: len(h.Incidents), pages: len(h.Pages),
		engagements: len(h.Engagements), shifts: len(h.Shifts)})
	return h, nil
}

// estimateSizes counts what a load will read, but for pages and engagements, which
// it supposes spread over incidents evenly (counting them exactly would take a join).
// Each count reads an index; together they take a small fraction of a load.
const estimateSizes = `SELECT (SELECT count(*) FROM incidents WHERE live_until >= ?1), (SELECT count(*) FROM incidents),
	(SELECT count(*) FROM pages), (SELECT count(*) FROM engagements), (SELECT count(*) FROM people),
	(SELECT count(*) FROM shifts WHERE live_until >= ?1)`

// estimate returns the estimated sizes of a load from since.
func (l *loader) estimate(since int64) (*loadHint, error) {
	var est loadHint
	err := l.each(estimateSizes, func(v []driver.Value) {
		window, all := num(v[0]), max(num(v[1]), 1)
		est = loadHint{
			incidents:   int(window),
			pages:       int(num(v[2]) * window / all),
			engagements: int(num(v[3]) * window / all),
			people:      int(num(v[4])),
			shifts:      int(num(v[5])),
		}
	}, since)
	return &est, err
}

// read runs fn with a loader on one read transaction of a pooled connection: every
// query fn runs sees the same snapshot, and l.names covers every name id in it.
func (s *Store) read(ctx context.Context, fn func(l *loader) error) error {
	conn, err := s.db.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	// The queries run on the driver connection itself: database/sql's Rows and Scan
	// cost more per row than SQLite does for these narrow rows.
	return conn.Raw(func(dc any) error {
		l := &loader{ctx: ctx, checkEvery: s.checkEvery}
		var ok bool
		if l.q, ok = dc.(driver.QueryerContext); !ok {
			return fmt.Errorf("driver connection %T cannot query", dc)
		}
		ex, ok := dc.(driver.ExecerContext)
		if !ok {
			return fmt.Errorf("driver connection %T cannot exec", dc)
		}
		// One read transaction: every query sees the same snapshot.
		if _, err := ex.ExecContext(ctx, "BEGIN", nil); err != nil {
			// In case it took effect all the same (a cancelled context, say).
			ex.ExecContext(context.Background(), "ROLLBACK", nil)
			return fmt.Errorf("begin: %w", err)
		}
		names, err := s.names.refresh(ctx, l.q)
		if err == nil {
			l.names = names
			err = fn(l)
		}
		if _, rerr := ex.ExecContext(context.Background(), "ROLLBACK", nil); rerr != nil {
			// The connection is in an unknown state; make database/sql drop it.
			return errors.Join(err, fmt.Errorf("rollback: %w", rerr), driver.ErrBadConn)
		}
		return err
	})
}

// loadHint holds the sizes of the last LoadHistory.
type loadHint struct {
	people, incidents, pages, engagements, shifts int
}

// loader runs the queries of one LoadHistory on a driver connection.
type loader struct {
	ctx        context.Context
	checkEvery int // rows between checks of ctx
	q          driver.QueryerContext
	names      []string     // the names dictionary by id
	hasBad     bool         // a value that is not an id in names was met:
	bad        driver.Value // this one

	// The rowids of h.Incidents, and how the pages and engagements find their
	// incident by rowid: see incidentID.
	rowids   []int64
	cur      int
	byRowid  map[int64]int
	noRowid  bool  // a rowid not among the incidents was met:
	badRowid int64 // this one
}

// incidentID returns the id of the loaded incident with the rowid in v. The joins
// walk the same index, in the same snapshot, as the incidents query, so the rowids
// come in the same order, each repeated once per page: following along with a cursor
// finds each in O(1). Should the order ever differ (a different query plan), a map
// takes over.
func (l *loader) incidentID(v driver.Value, incs []incident.Incident) string {
	r := num(v)
	if l.byRowid == nil {
		for ; l.cur < len(l.rowids); l.cur++ {
			if l.rowids[l.cur] == r {
				return incs[l.cur].ID
			}
		}
		l.byRowid = make(map[int64]int, len(l.rowids))
		for i, r := range l.rowids {
			l.byRowid[r] = i
		}
	}
	if i, ok := l.byRowid[r]; ok {
		return incs[i].ID
	}
	l.noRowid, l.badRowid = true, r
	return ""
}

// name returns the dictionary entry of the id in v.
func (l *loader) name(v driver.Value) string {
	id, ok := v.(int64)
	if ok && id >= 0 && id < int64(len(l.names)) {
		return l.names[id]
	}
	l.hasBad, l.bad = true, v
	return ""
}

func (l *loader) load(h *incident.History, since int64) error {
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
		{"changes", l.changes},
		{"incident totals", l.totals},
	}
	for _, st := range steps {
		if err := st.fn(h, since); err != nil {
			return fmt.Errorf("%s: %w", st.what, err)
		}
		if l.hasBad {
			return fmt.Errorf("%s: %v is not an id in the names table", st.what, l.bad)
		}
		if l.noRowid {
			return fmt.Errorf("%s: incident rowid %d is not among the incidents loaded", st.what, l.badRowid)
		}
	}
	return nil
}

// each runs query and calls fn with the values of each row, as the driver gives
// them (TEXT as string, INTEGER as int64, NULL as nil): no Scan, no reflection.
func (l *loader) each(query string, fn func(v []driver.Value), args ...int64) error {
	var named []driver.NamedValue
	for i, a := range args {
		named = append(named, driver.NamedValue{Ordinal: i + 1, Value: a})
	}
	rows, err := l.q.QueryContext(l.ctx, query, named)
	if err != nil {
		return err
	}
	// Driver rows must be closed exactly once (database/sql is not here to see to it).
	err = eachRow(l.ctx, rows, l.checkEvery, fn)
	return errors.Join(err, rows.Close())
}

func eachRow(ctx context.Context, rows driver.Rows, checkEvery int, fn func(v []driver.Value)) error {
	dest := make([]driver.Value, len(rows.Columns()))
	for n := 0; ; n++ {
		if err := rows.Next(dest); err == io.EOF {
			return nil
		} else if err != nil {
			return err
		}
		fn(dest)
		if n%checkEvery == checkEvery-1 {
			if err := ctx.Err(); err != nil {
				return err
			}
		}
	}
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

// The rows of each table as records. Pages and engagements have their incident's
// id in v[2], which the caller resolves and passes as incidentID.

func sourceCaps(v []driver.Value) incident.Capabilities {
	return incident.Capabilities{
		People:      num(v[0]) != 0,
		Pages:       num(v[1]) != 0,
		Engagements: num(v[2]) != 0,
		OnCall:      num(v[3]) != 0,
	}
}

func (l *loader) person(v []driver.Value) incident.Person {
	return incident.Person{
		Source:   l.name(v[0]),
		ID:       l.name(v[1]),
		Name:     str(v[2]),
		Email:    str(v[3]),
		TimeZone: str(v[4]),
	}
}

func (l *loader) incident(v []driver.Value) incident.Incident {
	return incident.Incident{
		Source:           l.name(v[0]),
		ID:               str(v[1]),
		Title:            str(v[2]),
		Team:             l.name(v[3]),
		Service:          l.name(v[4]),
		Severity:         incident.Severity(l.name(v[5])),
		EscalationPolicy: l.name(v[6]),
		RecurrenceKey:    str(v[7]),
		CreatedAt:        fromMillis(num(v[8])),
		AcknowledgedAt:   fromMillis(num(v[9])),
		ResolvedAt:       fromMillis(num(v[10])),
	}
}

func (l *loader) page(v []driver.Value, incidentID string) incident.Page {
	return incident.Page{
		Source:     l.name(v[0]),
		ID:         str(v[1]),
		IncidentID: incidentID,
		PersonID:   l.name(v[3]),
		At:         fromMillis(num(v[4])),
		Channel:    l.name(v[5]),
	}
}

func (l *loader) engagement(v []driver.Value, incidentID string) incident.Engagement {
	return incident.Engagement{
		Source:     l.name(v[0]),
		ID:         str(v[1]),
		IncidentID: incidentID,
		PersonID:   l.name(v[3]),
		Kind:       l.name(v[4]),
		At:         fromMillis(num(v[5])),
	}
}

func (l *loader) shift(v []driver.Value) incident.Shift {
	return incident.Shift{
		Source:           l.name(v[0]),
		ID:               str(v[1]),
		PersonID:         l.name(v[2]),
		EscalationPolicy: l.name(v[3]),
		Level:            int(num(v[4])),
		Start:            fromMillis(num(v[5])),
		End:              fromMillis(num(v[6])),
	}
}

func (l *loader) change(v []driver.Value) incident.Change {
	return incident.Change{
		Source:  l.name(v[0]),
		ID:      str(v[1]),
		Team:    l.name(v[2]),
		Service: l.name(v[3]),
		Kind:    l.name(v[4]),
		Time:    fromMillis(num(v[5])),
	}
}

func (l *loader) sources(h *incident.History, _ int64) error {
	return l.each(loadSources, func(v []driver.Value) {
		h.Sources[l.name(v[0])] = sourceCaps(v[1:])
	})
}

func (l *loader) people(h *incident.History, _ int64) error {
	return l.each(loadPeople, func(v []driver.Value) {
		h.People = append(h.People, l.person(v))
	})
}

func (l *loader) teams(h *incident.History, _ int64) error {
	type key struct{ source, team int64 }
	idx := map[key]int{}
	err := l.each(loadTeams, func(v []driver.Value) {
		idx[key{num(v[0]), num(v[1])}] = len(h.Teams)
		h.Teams = append(h.Teams, incident.Team{Source: l.name(v[0]), Name: l.name(v[1])})
	})
	if err != nil {
		return err
	}
	return l.each(loadTeamMembers, func(v []driver.Value) {
		i, ok := idx[key{num(v[0]), num(v[1])}]
		if !ok {
			return // cannot happen: the foreign key keeps members with their team
		}
		h.Teams[i].Members = append(h.Teams[i].Members, l.name(v[2]))
	})
}

func (l *loader) incidents(h *incident.History, since int64) error {
	return l.each(loadIncidents, func(v []driver.Value) {
		h.Incidents = append(h.Incidents, l.incident(v))
		l.rowids = append(l.rowids, num(v[11]))
	}, since)
}

func (l *loader) pages(h *incident.History, since int64) error {
	l.cur = 0
	return l.each(loadPages, func(v []driver.Value) {
		h.Pages = append(h.Pages, l.page(v, l.incidentID(v[2], h.Incidents)))
	}, since)
}

func (l *loader) engagements(h *incident.History, since int64) error {
	l.cur = 0
	return l.each(loadEngagements, func(v []driver.Value) {
		h.Engagements = append(h.Engagements, l.engagement(v, l.incidentID(v[2], h.Incidents)))
	}, since)
}

func (l *loader) shifts(h *incident.History, since int64) error {
	return l.each(loadShifts, func(v []driver.Value) {
		h.Shifts = append(h.Shifts, l.shift(v))
	}, since)
}

func (l *loader) changes(h *incident.History, since int64) error {
	return l.each(loadChanges, func(v []driver.Value) {
		h.Changes = append(h.Changes, l.change(v))
	}, since)
}

func (l *loader) totals(h *incident.History, _ int64) error {
	return l.each(loadTotals, func(v []driver.Value) {
		h.CreatedTotals = append(h.CreatedTotals, incident.CreatedCount{
			Source:   l.name(v[0]),
			Team:     l.name(v[1]),
			Severity: incident.Severity(l.name(v[2])),
			Count:    int(num(v[3])),
		})
	})
}

package store

import (
	"context"
	"database/sql/driver"
	"fmt"
	"runtime"
	"sync"
	"time"

	"github.com/hero-exporter/hero_exporter/internal/incident"
)

// The queries of HistoryCache.Load after the first: the rows stamped with a change
// sequence number after the last one the cache has seen (see migration 2), each
// read through its table's seq index.
const (
	readChangeSeq = `SELECT seq FROM change_seq WHERE id = 0`
	countChanges  = `SELECT (SELECT count(*) FROM incidents WHERE seq > ?1) + (SELECT count(*) FROM pages WHERE seq > ?1)
	+ (SELECT count(*) FROM engagements WHERE seq > ?1) + (SELECT count(*) FROM changes WHERE seq > ?1)`
	changedSources     = `SELECT source, cap_people, cap_pages, cap_engagements, cap_oncall FROM sources WHERE seq > ?`
	changedPeople      = `SELECT source, person, name, email, time_zone FROM people WHERE seq > ?`
	changedTeams       = `SELECT source, team FROM teams WHERE seq > ?`
	changedTeamMembers = `SELECT t.source, t.team, m.person
FROM teams AS t CROSS JOIN team_members AS m ON m.source = t.source AND m.team = t.team
WHERE t.seq > ? ORDER BY t.source, t.team, m.pos`
	changedIncidents = `SELECT source, id, title, team, service, severity, escalation_policy, recurrence_key,
	created_at, acknowledged_at, resolved_at FROM incidents WHERE seq > ?`
	changedPages = `SELECT source, id, incident_id, person, at, channel FROM pages WHERE seq > ?`
	// The pages and engagements of the changed incidents, for those that came into
	// the window.
	pagesOfChanged = `SELECT p.source, p.id, p.incident_id, p.person, p.at, p.channel
FROM incidents AS i CROSS JOIN pages AS p ON p.source = i.source AND p.incident_id = i.id
WHERE i.seq > ?`
	changedEngagements   = `SELECT source, id, incident_id, person, kind, at FROM engagements WHERE seq > ?`
	engagementsOfChanged = `SELECT e.source, e.id, e.incident_id, e.person, e.kind, e.at
FROM incidents AS i CROSS JOIN engagements AS e ON e.source = i.source AND e.incident_id = i.id
WHERE i.seq > ?`
	changedShifts  = `SELECT source, id, person, escalation_policy, level, start_at, end_at FROM shifts WHERE seq > ?`
	changedChanges = `SELECT source, id, team, service, kind, at FROM changes WHERE seq > ?`
)

// defaultMaxDelta is the number of changed incidents, pages and engagements above
// which HistoryCache.Load reads everything again instead of merging the changes.
const defaultMaxDelta = 200_000

// HistoryCache keeps the history of the last load in memory and brings it up to
// date from the rows changed since, instead of reading the whole window again.
//
// Load returns what LoadHistory(since) would return at that moment, as a multiset
// of records (the order differs). Unlike LoadHistory's, the History Load returns is
// the cache's own: its slices and map are changed in place by the next Load. The
// caller must only read it, and only until it calls Load again (the engine loads and
// computes under one lock). Load is safe for concurrent use (calls are serialised),
// but the History of one call must not be in use during the next.
type HistoryCache struct {
	s        *Store
	maxDelta int

	mu        sync.Mutex
	loaded    bool
	seq       int64 // the change_seq of the snapshot last read
	since     int64 // the since, in unix milliseconds, of the last load
	sources   map[string]incident.Capabilities
	people    table[incident.Person]
	teams     table[incident.Team]
	incs      table[incident.Incident]
	pages     []incident.Page       // no index: see applyChanges
	engs      []incident.Engagement // likewise
	shifts    table[incident.Shift]
	changes   table[incident.Change]
	fullLoads int // how many times Load has read everything; for tests
}

// NewHistoryCache returns an empty cache of the store's history; its first Load
// reads everything, like LoadHistory.
func (s *Store) NewHistoryCache() *HistoryCache {
	return &HistoryCache{s: s, maxDelta: defaultMaxDelta}
}

// Load returns the history LoadHistory(ctx, since) would return (see HistoryCache
// for who owns it). The first call, a call with an earlier since than the last, and
// a call after many changes (or after an error) read everything; the others read
// only what changed since the last call, and drop what the window left.
func (c *HistoryCache) Load(ctx context.Context, since time.Time) (*incident.History, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	sinceMs := sinceMillis(since)
	if c.loaded && sinceMs >= c.since {
		var totals []incident.CreatedCount
		var seq int64
		full := false
		err := c.s.read(ctx, func(l *loader) error {
			var err error
			seq, err = l.scalar(readChangeSeq)
			if err != nil {
				return fmt.Errorf("change seq: %w", err)
			}
			if seq != c.seq {
				n, err := l.scalar(countChanges, c.seq)
				if err != nil {
					return fmt.Errorf("count changes: %w", err)
				}
				if n > int64(c.maxDelta) {
					full = true
					return nil
				}
			}
			if err := c.merge(l, seq, sinceMs); err != nil {
				return err
			}
			h := &incident.History{}
			if err := l.totals(h, 0); err != nil {
				return fmt.Errorf("incident totals: %w", err)
			}
			if l.hasBad {
				return fmt.Errorf("%v is not an id in the names table", l.bad)
			}
			totals = h.CreatedTotals
			return nil
		})
		if err != nil {
			c.reset() // what is merged so far may be half of a change
			return nil, fmt.Errorf("store: load history (incremental): %w", err)
		}
		if !full {
			c.seq, c.since = seq, sinceMs
			return c.history(totals), nil
		}
	}
	return c.full(ctx, sinceMs)
}

// reset forgets everything, so that the next Load reads everything.
func (c *HistoryCache) reset() {
	c.loaded, c.seq, c.since, c.sources = false, 0, 0, nil
	c.people, c.teams, c.incs = table[incident.Person]{}, table[incident.Team]{}, table[incident.Incident]{}
	c.pages, c.engs, c.shifts = nil, nil, table[incident.Shift]{}
	c.changes = table[incident.Change]{}
}

// full reads everything, with the change sequence of the same snapshot.
func (c *HistoryCache) full(ctx context.Context, sinceMs int64) (*incident.History, error) {
	c.reset() // let the old history go before the new one is read
	var seq int64
	h, err := c.s.loadHistory(ctx, sinceMs, func(l *loader) error {
		var err error
		seq, err = l.scalar(readChangeSeq)
		return err
	})
	if err != nil {
		return nil, err
	}
	c.fullLoads++
	totals := h.CreatedTotals
	c.sources = h.Sources
	c.people = newTable(h.People, func(p *incident.Person) (string, string) { return p.Source, p.ID })
	c.teams = newTable(h.Teams, func(t *incident.Team) (string, string) { return t.Source, t.Name })
	c.incs = newTable(trim(h.Incidents), func(in *incident.Incident) (string, string) { return in.Source, in.ID })
	c.pages, c.engs = trim(h.Pages), trim(h.Engagements)
	c.shifts = newTable(h.Shifts, func(s *incident.Shift) (string, string) { return s.Source, s.ID })
	c.changes = newTable(h.Changes, changeKey)
	c.seq, c.since, c.loaded = seq, sinceMs, true
	// A full load leaves about as much garbage as it keeps (the slices' growth, the
	// trimmed copies). Collecting it now, once, keeps it from adding to the peak of
	// the analytics that run next and from setting the collector's heap goal by a
	// heap twice the size of what is live.
	runtime.GC()
	return c.history(totals), nil
}

func (c *HistoryCache) history(totals []incident.CreatedCount) *incident.History {
	return &incident.History{
		Sources:       c.sources,
		People:        c.people.recs,
		Teams:         c.teams.recs,
		Incidents:     c.incs.recs,
		Pages:         c.pages,
		Engagements:   c.engs,
		Shifts:        c.shifts.recs,
		Changes:       c.changes.recs,
		CreatedTotals: totals,
	}
}

// incidentLive reports whether an incident belongs to the window that starts at
// since: LoadHistory's live_until >= since.
func incidentLive(in *incident.Incident, since int64) bool {
	return in.ResolvedAt.IsZero() || max(millis(in.CreatedAt), millis(in.ResolvedAt)) >= since
}

// shiftLive is the same for shifts.
func shiftLive(sh *incident.Shift, since int64) bool {
	return sh.End.IsZero() || millis(sh.End) >= since
}

// changeLive is the same for changes: at or after since.
func changeLive(ch *incident.Change, since int64) bool {
	return millis(ch.Time) >= since
}

func changeKey(ch *incident.Change) (string, string) { return ch.Source, ch.ID }

type recKey struct{ source, id string }

// merge applies the rows changed after c.seq, up to seq, and the move of the
// window to sinceMs. The order matters: incidents first (changed ones, then those
// the window left), so that the pages and engagements know which incidents are in
// the window; then the pages and engagements of the incidents that came in (whether
// or not they changed themselves); then the changed pages and engagements, which
// have the last word on where they belong. Those changes, and the removal of the
// pages and engagements of the incidents that left, are applied in one pass at the
// end (applyChanges).
func (c *HistoryCache) merge(l *loader, seq, sinceMs int64) error {
	after := c.seq
	if seq == c.seq && sinceMs == c.since {
		return nil
	}
	check := func(what string, err error) error {
		if err == nil && l.hasBad {
			err = fmt.Errorf("%v is not an id in the names table", l.bad)
		}
		if err != nil {
			return fmt.Errorf("%s: %w", what, err)
		}
		return nil
	}
	if seq != c.seq {
		err := l.each(changedSources, func(v []driver.Value) { c.sources[l.name(v[0])] = sourceCaps(v[1:]) }, after)
		if err := check("sources", err); err != nil {
			return err
		}
		err = l.each(changedPeople, func(v []driver.Value) { c.people.put(l.person(v)) }, after)
		if err := check("people", err); err != nil {
			return err
		}
		err = l.each(changedTeams, func(v []driver.Value) {
			c.teams.put(incident.Team{Source: l.name(v[0]), Name: l.name(v[1])})
		}, after)
		if err := check("teams", err); err != nil {
			return err
		}
		err = l.each(changedTeamMembers, func(v []driver.Value) {
			if i, ok := c.teams.find(l.name(v[0]), l.name(v[1])); ok {
				t := &c.teams.recs[i]
				t.Members = append(t.Members, l.name(v[2]))
			}
		}, after)
		if err := check("team members", err); err != nil {
			return err
		}
	}

	removed := map[recKey]struct{}{} // incidents that left the window
	entered := map[recKey]struct{}{} // incidents that came into it
	if seq != c.seq {
		err := l.each(changedIncidents, func(v []driver.Value) {
			in := l.incident(v)
			_, had := c.incs.find(in.Source, in.ID)
			switch live := incidentLive(&in, sinceMs); {
			case live && !had:
				entered[recKey{in.Source, in.ID}] = struct{}{}
				c.incs.put(in)
			case live:
				c.incs.put(in)
			case had:
				c.incs.remove(in.Source, in.ID)
				removed[recKey{in.Source, in.ID}] = struct{}{}
			}
		}, after)
		if err := check("incidents", err); err != nil {
			return err
		}
	}
	if sinceMs != c.since {
		c.incs.removeIf(func(in *incident.Incident) bool {
			if incidentLive(in, sinceMs) {
				return false
			}
			removed[recKey{in.Source, in.ID}] = struct{}{}
			return true
		})
		c.shifts.removeIf(func(sh *incident.Shift) bool { return !shiftLive(sh, sinceMs) })
		c.changes.removeIf(func(ch *incident.Change) bool { return !changeLive(ch, sinceMs) })
	}
	pages := map[recKey]pending[incident.Page]{}
	engs := map[recKey]pending[incident.Engagement]{}
	if seq == c.seq {
		c.apply(removed, pages, engs)
		return nil
	}

	// incidentID returns the cached incident's own id string (one string for the
	// incident and all its pages), or false when the incident is not in the window.
	incidentID := func(src string, v driver.Value) (string, bool) {
		id := str(v)
		if i, ok := c.incs.find(src, id); ok {
			return c.incs.recs[i].ID, true
		}
		return "", false
	}
	if len(entered) > 0 {
		err := l.each(pagesOfChanged, func(v []driver.Value) {
			src := l.name(v[0])
			if _, ok := entered[recKey{src, str(v[2])}]; ok {
				id, _ := incidentID(src, v[2])
				p := l.page(v, id)
				pages[recKey{src, p.ID}] = pending[incident.Page]{p, true}
			}
		}, after)
		if err := check("pages of incidents", err); err != nil {
			return err
		}
		err = l.each(engagementsOfChanged, func(v []driver.Value) {
			src := l.name(v[0])
			if _, ok := entered[recKey{src, str(v[2])}]; ok {
				id, _ := incidentID(src, v[2])
				e := l.engagement(v, id)
				engs[recKey{src, e.ID}] = pending[incident.Engagement]{e, true}
			}
		}, after)
		if err := check("engagements of incidents", err); err != nil {
			return err
		}
	}
	err := l.each(changedPages, func(v []driver.Value) {
		src := l.name(v[0])
		id, ok := incidentID(src, v[2])
		p := l.page(v, id)
		pages[recKey{src, p.ID}] = pending[incident.Page]{p, ok}
	}, after)
	if err := check("pages", err); err != nil {
		return err
	}
	err = l.each(changedEngagements, func(v []driver.Value) {
		src := l.name(v[0])
		id, ok := incidentID(src, v[2])
		e := l.engagement(v, id)
		engs[recKey{src, e.ID}] = pending[incident.Engagement]{e, ok}
	}, after)
	if err := check("engagements", err); err != nil {
		return err
	}
	err = l.each(changedShifts, func(v []driver.Value) {
		sh := l.shift(v)
		if shiftLive(&sh, sinceMs) {
			c.shifts.put(sh)
		} else {
			c.shifts.remove(sh.Source, sh.ID)
		}
	}, after)
	if err := check("shifts", err); err != nil {
		return err
	}
	err = l.each(changedChanges, func(v []driver.Value) {
		ch := l.change(v)
		if changeLive(&ch, sinceMs) {
			c.changes.put(ch)
		} else {
			c.changes.remove(ch.Source, ch.ID)
		}
	}, after)
	if err := check("changes", err); err != nil {
		return err
	}
	c.apply(removed, pages, engs)
	return nil
}

// apply applies the pending changes of pages and engagements, and drops those of the
// removed incidents.
func (c *HistoryCache) apply(removed map[recKey]struct{}, pages map[recKey]pending[incident.Page],
	engs map[recKey]pending[incident.Engagement]) {
	c.pages = applyChanges(c.pages, removed, pages,
		func(p *incident.Page) (recKey, recKey) { return recKey{p.Source, p.ID}, recKey{p.Source, p.IncidentID} })
	c.engs = applyChanges(c.engs, removed, engs,
		func(e *incident.Engagement) (recKey, recKey) {
			return recKey{e.Source, e.ID}, recKey{e.Source, e.IncidentID}
		})
}

// pending is a change to a page or an engagement: its record as it is now, and
// whether it belongs to the window (its incident is in it).
type pending[T any] struct {
	rec  T
	keep bool
}

// applyChanges applies changes to recs (pages or engagements) in one pass: a record
// with a pending change is replaced or removed, a record of an incident that left the
// window (removed) is removed, and the pending records not met are added when they
// belong. keys returns a record's own key and its incident's. Without an index by id
// this costs a pass over all records, but only a map lookup or two for each, and it
// spares the index's memory (one entry per page and engagement).
func applyChanges[T any](recs []T, removed map[recKey]struct{}, changes map[recKey]pending[T],
	keys func(*T) (own, inc recKey)) []T {
	if len(removed) == 0 && len(changes) == 0 {
		return recs
	}
	var zero T
	for i := 0; i < len(recs); {
		own, inc := keys(&recs[i])
		drop := false
		if ch, ok := changes[own]; ok {
			delete(changes, own)
			if ch.keep {
				recs[i] = ch.rec
				i++
				continue
			}
			drop = true
		} else if _, ok := removed[inc]; ok {
			drop = true
		}
		if !drop {
			i++
			continue
		}
		// Move the last record here (to be looked at next) and shorten.
		last := len(recs) - 1
		recs[i] = recs[last]
		recs[last] = zero // let its strings go
		recs = recs[:last]
	}
	for _, ch := range changes {
		if ch.keep {
			recs = append(recs, ch.rec)
		}
	}
	return recs
}

// trim returns s, or a copy of it with less room to grow when it has much.
func trim[T any](s []T) []T {
	if cap(s)-len(s) <= len(s)/16 {
		return s
	}
	return append(make([]T, 0, len(s)+len(s)/64), s...)
}

// int runs a query that returns one integer.
func (l *loader) scalar(query string, args ...int64) (int64, error) {
	var n int64
	err := l.each(query, func(v []driver.Value) { n = num(v[0]) }, args...)
	return n, err
}

// table is the records of one kind with an index by (source, id). Removal moves the
// last record into the gap, so records have no stable order.
type table[T any] struct {
	recs []T
	idx  map[string]map[string]int32 // source → id → position in recs
	key  func(*T) (source, id string)
}

func newTable[T any](recs []T, key func(*T) (string, string)) table[T] {
	t := table[T]{recs: recs, idx: map[string]map[string]int32{}, key: key}
	for i := range recs {
		src, id := key(&recs[i])
		t.ids(src)[id] = int32(i)
	}
	return t
}

// ids returns the index of source, created when missing.
func (t *table[T]) ids(src string) map[string]int32 {
	m := t.idx[src]
	if m == nil {
		m = map[string]int32{}
		t.idx[src] = m
	}
	return m
}

func (t *table[T]) find(src, id string) (int, bool) {
	i, ok := t.idx[src][id]
	return int(i), ok
}

// put replaces the record with r's key, or adds r.
func (t *table[T]) put(r T) {
	src, id := t.key(&r)
	if i, ok := t.find(src, id); ok {
		t.recs[i] = r
		return
	}
	t.ids(src)[id] = int32(len(t.recs))
	t.recs = append(t.recs, r)
}

func (t *table[T]) remove(src, id string) {
	if i, ok := t.find(src, id); ok {
		t.removeAt(i)
	}
}

func (t *table[T]) removeAt(i int) {
	src, id := t.key(&t.recs[i])
	delete(t.idx[src], id)
	last := len(t.recs) - 1
	if i != last {
		t.recs[i] = t.recs[last]
		s, d := t.key(&t.recs[i])
		t.idx[s][d] = int32(i)
	}
	var zero T
	t.recs[last] = zero // let its strings go
	t.recs = t.recs[:last]
}

// removeIf removes every record for which drop returns true.
func (t *table[T]) removeIf(drop func(*T) bool) {
	for i := 0; i < len(t.recs); {
		if drop(&t.recs[i]) {
			t.removeAt(i) // brings the last record to i, to be looked at next
		} else {
			i++
		}
	}
}

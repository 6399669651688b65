package store

import (
	"context"
	"database/sql"
	"fmt"
	"maps"
	"math/rand/v2"
	"path/filepath"
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/hero-exporter/hero_exporter/internal/incident"
	"github.com/hero-exporter/hero_exporter/internal/source"
)

// cloneHistory copies the record slices of h, which belong to the cache, so that
// they can be sorted.
func cloneHistory(h *incident.History) *incident.History {
	c := *h
	c.Sources = maps.Clone(h.Sources)
	c.People = slices.Clone(h.People)
	c.Teams = slices.Clone(h.Teams)
	c.Incidents = slices.Clone(h.Incidents)
	c.Pages = slices.Clone(h.Pages)
	c.Engagements = slices.Clone(h.Engagements)
	c.Shifts = slices.Clone(h.Shifts)
	c.Changes = slices.Clone(h.Changes)
	c.CreatedTotals = slices.Clone(h.CreatedTotals)
	return &c
}

// checkCache asserts that c.Load(since) returns what LoadHistory(since) does.
func checkCache(t *testing.T, s *Store, c *HistoryCache, since time.Time, step string) {
	t.Helper()
	h, err := c.Load(context.Background(), since)
	if err != nil {
		t.Fatalf("%s: cache load: %v", step, err)
	}
	got := cloneHistory(h)
	want := mustLoad(t, s, since)
	sortHistory(want)
	sortHistory(got)
	for i := range got.Teams {
		if len(got.Teams[i].Members) == 0 {
			got.Teams[i].Members = nil
		}
	}
	ok := true
	check := func(what string, g, w any) {
		t.Helper()
		gv, wv := reflect.ValueOf(g), reflect.ValueOf(w)
		if gv.Len() != wv.Len() {
			t.Errorf("%s: %s: got %d, want %d", step, what, gv.Len(), wv.Len())
			ok = false
			return
		}
		for i := range gv.Len() {
			if !reflect.DeepEqual(gv.Index(i).Interface(), wv.Index(i).Interface()) {
				t.Errorf("%s: %s[%d]:\n got %+v\nwant %+v", step, what, i, gv.Index(i).Interface(), wv.Index(i).Interface())
				ok = false
				return
			}
		}
	}
	check("people", got.People, want.People)
	check("teams", got.Teams, want.Teams)
	check("incidents", got.Incidents, want.Incidents)
	check("pages", got.Pages, want.Pages)
	check("engagements", got.Engagements, want.Engagements)
	check("shifts", got.Shifts, want.Shifts)
	check("changes", got.Changes, want.Changes)
	check("created totals", got.CreatedTotals, want.CreatedTotals)
	if !reflect.DeepEqual(got.Sources, want.Sources) {
		t.Errorf("%s: sources: got %v, want %v", step, got.Sources, want.Sources)
		ok = false
	}
	if !ok {
		t.FailNow()
	}
}

// randomWorld writes random batches: records are drawn from small pools of ids, so
// that most writes change (or re-send unchanged) records already stored.
type randomWorld struct {
	rng *rand.Rand
	now time.Time
}

func (w *randomWorld) at(back time.Duration) time.Time {
	return w.now.Add(-time.Duration(w.rng.Int64N(int64(back)))).Truncate(time.Millisecond)
}

func (w *randomWorld) incident(id int) incident.Incident {
	created := w.at(30 * 24 * time.Hour)
	in := incident.Incident{
		ID:               fmt.Sprintf("I%03d", id),
		Title:            fmt.Sprintf("title %d", w.rng.IntN(3)),
		Team:             []string{"", "t1", "t2", "t3"}[w.rng.IntN(4)],
		Service:          []string{"", "s1", "s2"}[w.rng.IntN(3)],
		Severity:         []incident.Severity{incident.SeverityHigh, incident.SeverityLow}[w.rng.IntN(2)],
		EscalationPolicy: []string{"", "EP1"}[w.rng.IntN(2)],
		CreatedAt:        created,
	}
	switch w.rng.IntN(4) {
	case 0: // open
	case 1: // resolved much later (maybe in the future of created, near now)
		in.ResolvedAt = created.Add(time.Duration(w.rng.Int64N(int64(w.now.Sub(created)) + 1))).Truncate(time.Millisecond)
	default:
		in.ResolvedAt = created.Add(time.Duration(w.rng.Int64N(int64(6 * time.Hour)))).Truncate(time.Millisecond)
	}
	if w.rng.IntN(3) == 0 {
		in.AcknowledgedAt = created.Add(time.Minute)
	}
	return in
}

func (w *randomWorld) batch() *source.Batch {
	r := w.rng
	b := &source.Batch{}
	for range r.IntN(3) {
		id := fmt.Sprintf("P%02d", r.IntN(15))
		b.People = append(b.People, incident.Person{ID: id, Name: fmt.Sprintf("name %d", r.IntN(3)),
			TimeZone: []string{"", "UTC"}[r.IntN(2)]})
	}
	if r.IntN(4) == 0 {
		team := incident.Team{Name: fmt.Sprintf("t%d", 1+r.IntN(3))}
		for range r.IntN(5) {
			team.Members = append(team.Members, fmt.Sprintf("P%02d", r.IntN(15)))
		}
		b.Teams = append(b.Teams, team)
	}
	for range r.IntN(12) {
		b.Incidents = append(b.Incidents, w.incident(r.IntN(80)))
	}
	for range r.IntN(15) {
		b.Pages = append(b.Pages, incident.Page{ID: fmt.Sprintf("p%03d", r.IntN(200)),
			IncidentID: fmt.Sprintf("I%03d", r.IntN(85)), PersonID: fmt.Sprintf("P%02d", r.IntN(15)),
			At: w.at(30 * 24 * time.Hour), Channel: []string{"push", "sms"}[r.IntN(2)]})
	}
	for range r.IntN(15) {
		b.Engagements = append(b.Engagements, incident.Engagement{ID: fmt.Sprintf("e%03d", r.IntN(200)),
			IncidentID: fmt.Sprintf("I%03d", r.IntN(85)), PersonID: fmt.Sprintf("P%02d", r.IntN(15)),
			Kind: []string{"acknowledge", "note"}[r.IntN(2)], At: w.at(30 * 24 * time.Hour)})
	}
	for range r.IntN(4) {
		sh := incident.Shift{ID: fmt.Sprintf("S%02d", r.IntN(30)), PersonID: fmt.Sprintf("P%02d", r.IntN(15)),
			EscalationPolicy: "EP1", Level: r.IntN(2), Start: w.at(30 * 24 * time.Hour)}
		if r.IntN(4) != 0 {
			sh.End = sh.Start.Add(time.Duration(r.Int64N(int64(10 * 24 * time.Hour))))
		}
		b.Shifts = append(b.Shifts, sh)
	}
	for range r.IntN(4) {
		b.Changes = append(b.Changes, incident.Change{ID: fmt.Sprintf("c%02d", r.IntN(40)),
			Service: []string{"", "s1", "s2"}[r.IntN(3)], Team: []string{"", "t1"}[r.IntN(2)],
			Kind: []string{"deploy", "rollback"}[r.IntN(2)], Time: w.at(30 * 24 * time.Hour)})
	}
	return b
}

func TestHistoryCacheRandom(t *testing.T) {
	for seed := range uint64(3) {
		t.Run(fmt.Sprint(seed), func(t *testing.T) {
			s, _ := openTest(t)
			ctx := context.Background()
			w := &randomWorld{rng: rand.New(rand.NewPCG(seed, 7)), now: t0}
			caches := []*HistoryCache{s.NewHistoryCache(), s.NewHistoryCache()}
			caches[1].maxDelta = 8 // often too many changes: reads everything again
			var prev map[string]*source.Batch
			for step := range 100 {
				batches := map[string]*source.Batch{}
				for _, src := range []string{"a", "b"} {
					if w.rng.IntN(3) == 0 {
						continue
					}
					b := w.batch()
					if prev != nil && prev[src] != nil && w.rng.IntN(5) == 0 {
						b = prev[src] // a re-sync of the same records
					}
					batches[src] = b
					mustWrite(t, s, src, b)
				}
				prev = batches
				if w.rng.IntN(8) == 0 {
					src := []string{"a", "b", "c"}[w.rng.IntN(3)]
					caps := incident.Capabilities{People: w.rng.IntN(2) == 0, Pages: true, OnCall: w.rng.IntN(2) == 0}
					if err := s.RegisterSource(ctx, src, "test", caps); err != nil {
						t.Fatal(err)
					}
				}
				// Time moves on; now and then the window is made longer (since
				// moves back), or since stays.
				switch w.rng.IntN(10) {
				case 0:
				case 1:
					w.now = w.now.Add(-time.Duration(w.rng.Int64N(int64(24 * time.Hour))))
				default:
					w.now = w.now.Add(time.Duration(w.rng.Int64N(int64(12 * time.Hour))))
				}
				since := w.now.Add(-7 * 24 * time.Hour)
				for i, c := range caches {
					checkCache(t, s, c, since, fmt.Sprintf("step %d cache %d", step, i))
				}
			}
			if caches[0].fullLoads >= caches[1].fullLoads || caches[1].fullLoads < 10 {
				t.Errorf("full loads: %d and %d", caches[0].fullLoads, caches[1].fullLoads)
			}
		})
	}
}

func TestHistoryCacheOldOpenIncidentResolves(t *testing.T) {
	s, _ := openTest(t)
	c := s.NewHistoryCache()
	old := t0.Add(-100 * 24 * time.Hour)
	since := t0.Add(-30 * 24 * time.Hour)
	in := incident.Incident{ID: "old", Team: "t", CreatedAt: old}
	mustWrite(t, s, "a", &source.Batch{Incidents: []incident.Incident{in},
		Pages:       []incident.Page{{ID: "p1", IncidentID: "old", PersonID: "P1", At: old}},
		Engagements: []incident.Engagement{{ID: "e1", IncidentID: "old", PersonID: "P1", Kind: "note", At: old}}})
	checkCache(t, s, c, since, "open")
	if h, _ := c.Load(context.Background(), since); len(h.Incidents) != 1 || len(h.Pages) != 1 || len(h.Engagements) != 1 {
		t.Fatalf("open old incident: %+v", h)
	}
	// Resolved now: still in the window (resolved at or after since) ...
	in.ResolvedAt = t0
	mustWrite(t, s, "a", &source.Batch{Incidents: []incident.Incident{in}})
	checkCache(t, s, c, since, "resolved")
	// ... until since passes its resolution; it leaves with its page and engagement.
	since = t0.Add(time.Hour)
	checkCache(t, s, c, since, "window moved")
	if h, _ := c.Load(context.Background(), since); len(h.Incidents)+len(h.Pages)+len(h.Engagements) != 0 {
		t.Fatalf("left the window: %+v", h)
	}
	// Resolved long ago (a correction): out of the window at once.
	in.ResolvedAt = old.Add(time.Hour)
	mustWrite(t, s, "a", &source.Batch{Incidents: []incident.Incident{{ID: "old2", CreatedAt: old}}})
	checkCache(t, s, c, since, "another open")
	mustWrite(t, s, "a", &source.Batch{Incidents: []incident.Incident{{ID: "old2", CreatedAt: old, ResolvedAt: old.Add(time.Hour)}}})
	checkCache(t, s, c, since, "resolved in the past")
}

func TestHistoryCacheIncidentReenters(t *testing.T) {
	s, _ := openTest(t)
	c := s.NewHistoryCache()
	old := t0.Add(-100 * 24 * time.Hour)
	since := t0.Add(-30 * 24 * time.Hour)
	in := incident.Incident{ID: "old", CreatedAt: old, ResolvedAt: old.Add(time.Hour)}
	mustWrite(t, s, "a", &source.Batch{Incidents: []incident.Incident{in, {ID: "new", CreatedAt: t0}},
		Pages: []incident.Page{{ID: "p1", IncidentID: "old", PersonID: "P1", At: old},
			{ID: "p2", IncidentID: "old", PersonID: "P2", At: old}},
		Engagements: []incident.Engagement{{ID: "e1", IncidentID: "old", PersonID: "P1", Kind: "note", At: old}}})
	checkCache(t, s, c, since, "old resolved")
	// Re-synced: re-opened. It comes back with its unchanged pages and engagement.
	in.ResolvedAt = time.Time{}
	mustWrite(t, s, "a", &source.Batch{Incidents: []incident.Incident{in}})
	checkCache(t, s, c, since, "re-opened")
	if h, _ := c.Load(context.Background(), since); len(h.Incidents) != 2 || len(h.Pages) != 2 || len(h.Engagements) != 1 {
		t.Fatalf("re-opened: %d incidents, %d pages, %d engagements", len(h.Incidents), len(h.Pages), len(h.Engagements))
	}
}

func TestHistoryCachePageMoved(t *testing.T) {
	s, _ := openTest(t)
	c := s.NewHistoryCache()
	old := t0.Add(-100 * 24 * time.Hour)
	since := t0.Add(-30 * 24 * time.Hour)
	mustWrite(t, s, "a", &source.Batch{Incidents: []incident.Incident{
		{ID: "i1", CreatedAt: t0}, {ID: "i2", CreatedAt: t0}, {ID: "old", CreatedAt: old, ResolvedAt: old}},
		Pages: []incident.Page{{ID: "p1", IncidentID: "i1", PersonID: "P1", At: t0}}})
	checkCache(t, s, c, since, "start")
	mustWrite(t, s, "a", &source.Batch{Pages: []incident.Page{{ID: "p1", IncidentID: "i2", PersonID: "P1", At: t0}}})
	checkCache(t, s, c, since, "moved")
	mustWrite(t, s, "a", &source.Batch{Pages: []incident.Page{{ID: "p1", IncidentID: "old", PersonID: "P1", At: t0}}})
	checkCache(t, s, c, since, "moved out of the window")
	mustWrite(t, s, "a", &source.Batch{Pages: []incident.Page{{ID: "p1", IncidentID: "nowhere", PersonID: "P1", At: t0}}})
	checkCache(t, s, c, since, "moved to an unknown incident")
	mustWrite(t, s, "a", &source.Batch{Incidents: []incident.Incident{{ID: "nowhere", CreatedAt: t0}}})
	checkCache(t, s, c, since, "the incident arrives")
	if h, _ := c.Load(context.Background(), since); len(h.Pages) != 1 || h.Pages[0].IncidentID != "nowhere" {
		t.Fatalf("pages: %+v", h.Pages)
	}
}

func TestHistoryCacheTeamsAndPeople(t *testing.T) {
	s, _ := openTest(t)
	c := s.NewHistoryCache()
	mustWrite(t, s, "a", &source.Batch{People: []incident.Person{{ID: "P1", Name: "one"}},
		Teams: []incident.Team{{Name: "t", Members: []string{"P1", "P2"}}}})
	checkCache(t, s, c, t0, "start")
	mustWrite(t, s, "a", &source.Batch{People: []incident.Person{{ID: "P1", Name: "One"}, {ID: "P2"}},
		Teams: []incident.Team{{Name: "t", Members: []string{"P2"}}, {Name: "u"}}})
	checkCache(t, s, c, t0, "changed")
	mustWrite(t, s, "a", &source.Batch{Teams: []incident.Team{{Name: "t", Members: []string{"P1", "P2", "P1"}}}})
	checkCache(t, s, c, t0, "repeated member")
}

// maxSeqs returns the highest seq of each table.
func maxSeqs(t *testing.T, s *Store) []int64 {
	t.Helper()
	var out []int64
	for _, tbl := range []string{"sources", "people", "teams", "incidents", "pages", "engagements", "shifts", "changes"} {
		var n int64
		if err := s.db.QueryRow(`SELECT coalesce(max(seq), 0) FROM ` + tbl).Scan(&n); err != nil {
			t.Fatal(err)
		}
		out = append(out, n)
	}
	return out
}

func TestUnchangedWriteKeepsSeq(t *testing.T) {
	s, _ := openTest(t)
	ctx := context.Background()
	b := sampleBatch()
	mustWrite(t, s, "a", b)
	caps := incident.Capabilities{People: true}
	if err := s.RegisterSource(ctx, "a", "test", caps); err != nil {
		t.Fatal(err)
	}
	before := maxSeqs(t, s)
	if slices.Contains(before, 0) {
		t.Fatalf("some table has no seq: %v", before)
	}
	mustWrite(t, s, "a", b)
	if err := s.RegisterSource(ctx, "a", "test", caps); err != nil {
		t.Fatal(err)
	}
	if after := maxSeqs(t, s); !slices.Equal(before, after) {
		t.Fatalf("an unchanged write moved seq: %v, then %v", before, after)
	}
	// One changed incident moves the incidents' seq only.
	b2 := &source.Batch{Incidents: slices.Clone(b.Incidents[:1])}
	b2.Incidents[0].Title += " (changed)"
	mustWrite(t, s, "a", b2)
	after := maxSeqs(t, s)
	for i := range after {
		if (after[i] != before[i]) != (i == 3) {
			t.Fatalf("a changed incident: seqs %v, then %v", before, after)
		}
	}
}

// TestMigrateFromVersion1 builds a version-1 database by hand, with the first
// migration only, and opens it: the store upgrades it and reads the data.
func TestMigrateFromVersion1(t *testing.T) {
	dir := t.TempDir()
	db, err := sql.Open("sqlite", "file:"+filepath.Join(dir, FileName))
	if err != nil {
		t.Fatal(err)
	}
	old := t0.Add(-time.Hour).UnixMilli()
	for _, q := range []string{
		migrations[0],
		`PRAGMA user_version = 1`,
		`INSERT INTO names (id, name) VALUES (1, 'a'), (2, 't'), (3, 'P1'), (4, 'high'), (5, 'push')`,
		`INSERT INTO sources (source, cap_people, cap_pages) VALUES (1, 1, 1)`,
		`INSERT INTO people (source, person, name) VALUES (1, 3, 'One')`,
		`INSERT INTO teams (source, team) VALUES (1, 2)`,
		`INSERT INTO team_members (source, team, person, pos) VALUES (1, 2, 3, 0)`,
		fmt.Sprintf(`INSERT INTO incidents (source, id, team, severity, created_at) VALUES (1, 'I1', 2, 4, %d)`, old),
		fmt.Sprintf(`INSERT INTO pages (source, incident_id, id, person, at, channel) VALUES (1, 'I1', 'p1', 3, %d, 5)`, old),
		fmt.Sprintf(`INSERT INTO shifts (source, id, person, start_at) VALUES (1, 'S1', 3, %d)`, old),
	} {
		if _, err := db.Exec(q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	db.Close()

	s, err := Open(context.Background(), dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	var version int
	if err := s.db.QueryRow(`PRAGMA user_version`).Scan(&version); err != nil || version != len(migrations) {
		t.Fatalf("version %d, %v", version, err)
	}
	c := s.NewHistoryCache()
	since := t0.Add(-24 * time.Hour)
	checkCache(t, s, c, since, "migrated")
	h := mustLoad(t, s, since)
	if len(h.Incidents) != 1 || len(h.Pages) != 1 || len(h.Shifts) != 1 || len(h.People) != 1 ||
		len(h.Teams) != 1 || len(h.Teams[0].Members) != 1 || !h.Sources["a"].People ||
		len(h.CreatedTotals) != 1 || h.CreatedTotals[0].Count != 1 || h.Incidents[0].Severity != "high" {
		t.Fatalf("migrated history: %+v", h)
	}
	// Writes after the migration reach the cache.
	mustWrite(t, s, "a", &source.Batch{Incidents: []incident.Incident{{ID: "I1", Team: "t", Severity: "high",
		CreatedAt: fromMillis(old), ResolvedAt: t0}}})
	checkCache(t, s, c, since, "written after")
}

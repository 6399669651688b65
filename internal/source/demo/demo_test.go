package demo

import (
	"context"
	"errors"
	"reflect"
	"regexp"
	"sort"
	"testing"
	"time"
	_ "time/tzdata" // the assertions on local sleep hours must not depend on the host's zoneinfo

	"github.com/hero-exporter/hero_exporter/internal/incident"
	"github.com/hero-exporter/hero_exporter/internal/source"
)

// pinned is a Wednesday afternoon; the figures in the report are measured at it.
var pinned = time.Date(2026, 11, 18, 14, 37, 0, 0, time.UTC)

// memSink keeps every batch, in order, as the store would receive them.
type memSink struct {
	batches []*source.Batch
	fail    error
}

func (m *memSink) Write(_ context.Context, _ string, b *source.Batch) error {
	if m.fail != nil {
		return m.fail
	}
	m.batches = append(m.batches, b)
	return nil
}

func runSync(t *testing.T, seed int64, now time.Time, cursor string) []*source.Batch {
	t.Helper()
	s := New("demo", seed, func() time.Time { return now })
	sink := &memSink{}
	if err := s.Sync(context.Background(), cursor, sink); err != nil {
		t.Fatalf("Sync(now=%s, cursor=%q): %v", now, cursor, err)
	}
	if len(sink.batches) == 0 {
		t.Fatalf("Sync(now=%s) wrote no batch", now)
	}
	return sink.batches
}

// store is the upsert-by-id view of what a sink received.
type store struct {
	people    map[string]incident.Person
	teams     map[string]incident.Team
	incidents map[string]incident.Incident
	pages     map[string]incident.Page
	engs      map[string]incident.Engagement
	shifts    map[string]incident.Shift
	cursor    string
}

func newStore() *store {
	return &store{
		people: map[string]incident.Person{}, teams: map[string]incident.Team{},
		incidents: map[string]incident.Incident{}, pages: map[string]incident.Page{},
		engs: map[string]incident.Engagement{}, shifts: map[string]incident.Shift{},
	}
}

// apply upserts batches; with noDup it fails on an id seen twice (within one sync every
// record is written once).
func (st *store) apply(t *testing.T, batches []*source.Batch, noDup bool) {
	t.Helper()
	seen := map[string]bool{}
	dup := func(kind, id string) {
		if noDup && seen[kind+id] {
			t.Errorf("%s %s written twice in one sync", kind, id)
		}
		seen[kind+id] = true
	}
	for _, b := range batches {
		for _, x := range b.People {
			dup("person", x.ID)
			st.people[x.ID] = x
		}
		for _, x := range b.Teams {
			dup("team", x.Name)
			st.teams[x.Name] = x
		}
		for _, x := range b.Incidents {
			dup("incident", x.ID)
			st.incidents[x.ID] = x
		}
		for _, x := range b.Pages {
			dup("page", x.ID)
			st.pages[x.ID] = x
		}
		for _, x := range b.Engagements {
			dup("engagement", x.ID)
			st.engs[x.ID] = x
		}
		for _, x := range b.Shifts {
			dup("shift", x.ID)
			st.shifts[x.ID] = x
		}
		if b.Cursor != "" {
			st.cursor = b.Cursor
		}
	}
}

func load(t *testing.T, seed int64, now time.Time) *store {
	t.Helper()
	st := newStore()
	st.apply(t, runSync(t, seed, now, ""), true)
	return st
}

func TestIdentity(t *testing.T) {
	s := New("my-demo", 1, nil)
	if s.Name() != "my-demo" || s.Type() != "demo" {
		t.Errorf("Name, Type = %q, %q", s.Name(), s.Type())
	}
	want := incident.Capabilities{People: true, Pages: true, Engagements: true, OnCall: true}
	if s.Capabilities() != want {
		t.Errorf("Capabilities = %+v, want all true", s.Capabilities())
	}
}

func TestDeterministic(t *testing.T) {
	a := runSync(t, 42, pinned, "")
	b := runSync(t, 42, pinned, "")
	if !reflect.DeepEqual(a, b) {
		t.Fatal("two syncs with the same seed and now differ")
	}
	c := runSync(t, 43, pinned, "")
	if reflect.DeepEqual(a, c) {
		t.Fatal("a different seed produced the same history")
	}
	// The org itself does not depend on the seed: only the history does.
	if !reflect.DeepEqual(a[0].People, c[0].People) || !reflect.DeepEqual(a[0].Teams, c[0].Teams) {
		t.Error("people or teams depend on the seed")
	}
}

func TestAnchoredToAbsoluteTime(t *testing.T) {
	const seed = 7
	later := pinned.Add(6 * time.Hour)

	first := runSync(t, seed, pinned, "")
	st1 := newStore()
	st1.apply(t, first, true)
	if want := FormatCursor(pinned); st1.cursor != want {
		t.Fatalf("cursor after back-fill = %q, want %q", st1.cursor, want)
	}
	second := runSync(t, seed, later, st1.cursor)
	st2 := newStore()
	st2.apply(t, second, true)
	if want := FormatCursor(later); st2.cursor != want {
		t.Fatalf("cursor after second sync = %q, want %q", st2.cursor, want)
	}

	// For the overlap, the second sync repeats the first, except what happened since:
	// an acknowledgement or resolution that was still zero may now be set.
	overlap, resolvedLater := 0, 0
	for id, a := range st1.incidents {
		b, ok := st2.incidents[id]
		if !ok {
			continue
		}
		overlap++
		if a.AcknowledgedAt.IsZero() {
			b.AcknowledgedAt = time.Time{}
		}
		if a.ResolvedAt.IsZero() {
			if !b.ResolvedAt.IsZero() {
				resolvedLater++
			}
			b.ResolvedAt = time.Time{}
		}
		if a != b {
			t.Errorf("incident %s changed between syncs:\n%+v\n%+v", id, a, b)
		}
	}
	if overlap < 50 {
		t.Fatalf("only %d incidents in the overlap; re-emission of the last %v is missing", overlap, Reemit)
	}
	if resolvedLater == 0 {
		t.Error("no incident open at the first sync was re-emitted resolved by the second")
	}
	for id, a := range st1.pages {
		if b, ok := st2.pages[id]; ok && a != b {
			t.Errorf("page %s changed: %+v vs %+v", id, a, b)
		}
	}
	for id, a := range st1.engs {
		if b, ok := st2.engs[id]; ok && a != b {
			t.Errorf("engagement %s changed: %+v vs %+v", id, a, b)
		}
	}
	for id, a := range st1.shifts {
		if b, ok := st2.shifts[id]; ok && a != b {
			t.Errorf("shift %s changed: %+v vs %+v", id, a, b)
		}
	}

	// The upsert of both syncs equals a fresh back-fill at the later time, over the
	// fresh one's range: a restart neither duplicates nor drifts.
	union := newStore()
	union.apply(t, first, false)
	union.apply(t, second, false)
	fresh := load(t, seed, later)
	for id, f := range fresh.incidents {
		if u, ok := union.incidents[id]; !ok || u != f {
			t.Errorf("incident %s: union %+v (present %v), fresh back-fill %+v", id, u, ok, f)
		}
	}
	for id, f := range fresh.pages {
		if u, ok := union.pages[id]; !ok || u != f {
			t.Errorf("page %s: union %+v (present %v), fresh %+v", id, u, ok, f)
		}
	}
	for id, f := range fresh.engs {
		if u, ok := union.engs[id]; !ok || u != f {
			t.Errorf("engagement %s: union %+v (present %v), fresh %+v", id, u, ok, f)
		}
	}
	horizon := later.Add(-Backfill + time.Hour)
	extra := 0
	for id, u := range union.incidents {
		if _, ok := fresh.incidents[id]; !ok {
			if !u.CreatedAt.Before(horizon) {
				t.Errorf("incident %s created %s is in the union but not in a fresh back-fill", id, u.CreatedAt)
			}
			extra++
		}
	}
	if len(union.incidents) != len(fresh.incidents)+extra {
		t.Errorf("union has %d incidents, want %d fresh + %d older", len(union.incidents), len(fresh.incidents), extra)
	}
}

func TestResyncFromOldOrOddCursor(t *testing.T) {
	// A cursor older than the back-fill horizon regenerates only the horizon.
	st := newStore()
	st.apply(t, runSync(t, 1, pinned, FormatCursor(pinned.Add(-400*24*time.Hour))), true)
	full := load(t, 1, pinned)
	if len(st.incidents) != len(full.incidents) {
		t.Errorf("old cursor: %d incidents, back-fill has %d", len(st.incidents), len(full.incidents))
	}
	// Unix milliseconds are accepted; a cursor ahead of now still writes people and a cursor.
	ms := runSync(t, 1, pinned, "1779113820000")
	if ms[len(ms)-1].Cursor != FormatCursor(pinned) {
		t.Errorf("cursor after ms cursor = %q", ms[len(ms)-1].Cursor)
	}
	ahead := runSync(t, 1, pinned, FormatCursor(pinned.Add(72*time.Hour)))
	if len(ahead) != 1 || len(ahead[0].People) == 0 || ahead[0].Cursor != FormatCursor(pinned) {
		t.Errorf("cursor ahead of now: %d batches, cursor %q", len(ahead), ahead[0].Cursor)
	}
}

func TestSyncErrors(t *testing.T) {
	s := New("d", 1, func() time.Time { return pinned })
	if err := s.Sync(context.Background(), "yesterday", &memSink{}); err == nil {
		t.Error("invalid cursor accepted")
	}
	boom := errors.New("disk full")
	if err := s.Sync(context.Background(), "", &memSink{fail: boom}); !errors.Is(err, boom) {
		t.Errorf("sink error not wrapped: %v", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := s.Sync(ctx, "", &memSink{}); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled sync: %v", err)
	}
}

func TestRecordsAreConsistent(t *testing.T) {
	now := pinned
	st := load(t, 1, now)
	if len(st.people) != 12 || len(st.teams) != 3 {
		t.Fatalf("%d people, %d teams; want 12 and 3", len(st.people), len(st.teams))
	}
	tzs := map[string]bool{}
	for _, p := range st.people {
		if _, err := time.LoadLocation(p.TimeZone); err != nil || p.Email == "" || p.Name == "" {
			t.Errorf("person %+v: %v", p, err)
		}
		tzs[p.TimeZone] = true
	}
	if len(tzs) < 5 {
		t.Errorf("only %d time zones", len(tzs))
	}
	notAfter := func(what string, at time.Time) {
		if at.After(now) {
			t.Errorf("%s at %s is after now %s", what, at, now)
		}
	}
	for id, inc := range st.incidents {
		notAfter(id+" created", inc.CreatedAt)
		notAfter(id+" acknowledged", inc.AcknowledgedAt)
		notAfter(id+" resolved", inc.ResolvedAt)
		if inc.Source != "demo" || inc.Title == "" || inc.Service == "" || inc.EscalationPolicy == "" || st.teams[inc.Team].Name == "" {
			t.Errorf("incomplete incident %+v", inc)
		}
		if !inc.AcknowledgedAt.IsZero() && inc.AcknowledgedAt.Before(inc.CreatedAt) ||
			!inc.ResolvedAt.IsZero() && (inc.ResolvedAt.Before(inc.CreatedAt) || inc.ResolvedAt.Before(inc.AcknowledgedAt)) {
			t.Errorf("incident %s out of order: %+v", id, inc)
		}
		if d := inc.ResolvedAt.Sub(inc.CreatedAt); d >= Reemit {
			t.Errorf("incident %s lasts %v, longer than the re-emission window", id, d)
		}
	}
	for id, p := range st.pages {
		notAfter(id, p.At)
		inc, ok := st.incidents[p.IncidentID]
		if !ok || st.people[p.PersonID].ID == "" || p.At.Before(inc.CreatedAt) {
			t.Errorf("page %+v: unknown incident or person, or before creation", p)
		}
	}
	for id, e := range st.engs {
		notAfter(id, e.At)
		inc, ok := st.incidents[e.IncidentID]
		if !ok || st.people[e.PersonID].ID == "" || e.At.Before(inc.CreatedAt) ||
			!inc.ResolvedAt.IsZero() && e.At.After(inc.ResolvedAt) {
			t.Errorf("engagement %+v: unknown incident or person, or outside the incident", e)
		}
		if e.Kind == incident.EngageAcknowledge && e.At.Before(inc.AcknowledgedAt) {
			t.Errorf("engagement %s acknowledges before the incident's first acknowledgement", id)
		}
	}
	for id, sh := range st.shifts {
		// A shift's end is the planned hand-off, which may lie ahead; its start may not.
		notAfter(id+" start", sh.Start)
		if !sh.End.After(sh.Start) || st.people[sh.PersonID].ID == "" {
			t.Errorf("bad shift %+v", sh)
		}
	}
	// Every incident, back to the oldest written, has someone on call for its policy.
	for id, inc := range st.incidents {
		if len(onCallAt(st, inc.EscalationPolicy, inc.CreatedAt)) == 0 {
			t.Fatalf("nobody on call for %s when %s was created", inc.EscalationPolicy, id)
		}
	}
}

func onCallAt(st *store, policy string, at time.Time) map[string]bool {
	out := map[string]bool{}
	for _, sh := range st.shifts {
		if sh.EscalationPolicy == policy && !at.Before(sh.Start) && (sh.End.IsZero() || at.Before(sh.End)) {
			out[sh.PersonID] = true
		}
	}
	return out
}

// figures are the pattern figures, counted directly from the records with the
// definitions of the metric contract.
type figures struct {
	paymentsIncidents7, paymentsIncidents28  int
	heroShare7, heroShare28                  float64 // of payments incidents, the hero engaged in
	heroLoad7, heroLoad28                    float64 // load share
	heroSleepPages7                          int
	paymentsResponders28                     int
	recurring7                               int
	maskedRepeat7                            int // most frequent masked title among keyless incidents
	soloLong7, soloLong28                    int
	openSolo                                 int // open, older than 20m, at most one engaged
	helperOffRotation7, helperOffRotation28  int
	searchTop7, searchTop28                  float64
	searchResponders7                        int
	searchSleepPages7                        int
	neverAcked7                              int
	severities7                              map[incident.Severity]int
	channels7                                map[string]int
	closePairs7                              int // two notifications to one person < 60 s apart
	servicesPerTeam                          map[string]int
	incidentsPerDay                          float64
	titlesWithNumbers, incidentsWithoutKey28 int
	platformShare28, paymentsTopOtherShare28 float64
	heroOffRotation28, searchInterruptions7  int
	incidentsTotal7, pagesTotal7, engsTotal7 int
	openNow, keylessDistinctMasked7          int
}

var masker = regexp.MustCompile(`[0-9a-f.]*[0-9][0-9a-f.]*`)

func measure(t *testing.T, st *store, now time.Time) figures {
	t.Helper()
	f := figures{severities7: map[incident.Severity]int{}, channels7: map[string]int{}, servicesPerTeam: map[string]int{}}
	in := func(at time.Time, w time.Duration) bool { return at.After(now.Add(-w)) && !at.After(now) }
	engaged := map[string]map[string]bool{} // incident → people
	for _, e := range st.engs {
		if engaged[e.IncidentID] == nil {
			engaged[e.IncidentID] = map[string]bool{}
		}
		engaged[e.IncidentID][e.PersonID] = true
	}
	locs := map[string]*time.Location{} // LoadLocation parses zoneinfo on every call
	loc := func(person string) *time.Location {
		if l, ok := locs[person]; ok {
			return l
		}
		l, err := time.LoadLocation(st.people[person].TimeZone)
		if err != nil {
			t.Fatalf("time zone of %s: %v", person, err)
		}
		locs[person] = l
		return l
	}
	sleeping := func(person string, at time.Time) bool {
		h := at.In(loc(person)).Hour()
		return h >= 22 || h < 8
	}

	// Load shares of a team over a window: engaged incidents per person / their sum.
	shares := func(team string, w time.Duration) map[string]float64 {
		count, sum := map[string]float64{}, 0.0
		for id, inc := range st.incidents {
			if inc.Team != team || !in(inc.CreatedAt, w) {
				continue
			}
			for p := range engaged[id] {
				count[p]++
				sum++
			}
		}
		for p := range count {
			count[p] /= sum
		}
		return count
	}
	top := func(m map[string]float64) float64 {
		x := 0.0
		for _, v := range m {
			x = max(x, v)
		}
		return x
	}
	f.heroLoad7 = shares(TeamPayments, 7*24*time.Hour)[HeroID]
	f.heroLoad28 = shares(TeamPayments, 28*24*time.Hour)[HeroID]
	f.paymentsResponders28 = len(shares(TeamPayments, 28*24*time.Hour))
	f.searchTop7 = top(shares(TeamSearch, 7*24*time.Hour))
	f.searchTop28 = top(shares(TeamSearch, 28*24*time.Hour))
	f.searchResponders7 = len(shares(TeamSearch, 7*24*time.Hour))
	for p, v := range shares(TeamPayments, 28*24*time.Hour) {
		if p != HeroID {
			f.paymentsTopOtherShare28 = max(f.paymentsTopOtherShare28, v)
		}
	}
	f.platformShare28 = top(shares(TeamPlatform, 28*24*time.Hour))

	masked := map[string]map[string]bool{}   // masked key → raw titles, keyless incidents in 7d
	services := map[string]map[string]bool{} // team → services seen in 28d
	heroIn7, heroIn28 := 0, 0
	for id, inc := range st.incidents {
		w7, w28 := in(inc.CreatedAt, 7*24*time.Hour), in(inc.CreatedAt, 28*24*time.Hour)
		people := engaged[id]
		if inc.ResolvedAt.IsZero() {
			f.openNow++
			if now.Sub(inc.CreatedAt) > 20*time.Minute && len(people) <= 1 {
				f.openSolo++
			}
		}
		if w28 {
			if services[inc.Team] == nil {
				services[inc.Team] = map[string]bool{}
			}
			services[inc.Team][inc.Service] = true
			if masker.MatchString(inc.Title) {
				f.titlesWithNumbers++
			}
			if inc.RecurrenceKey == "" {
				f.incidentsWithoutKey28++
			}
			if !inc.ResolvedAt.IsZero() && inc.ResolvedAt.Sub(inc.CreatedAt) >= 20*time.Minute && len(people) == 1 {
				f.soloLong28++
				if w7 {
					f.soloLong7++
				}
			}
		}
		if w7 {
			f.incidentsTotal7++
			f.severities7[inc.Severity]++
			if inc.AcknowledgedAt.IsZero() && !inc.ResolvedAt.IsZero() {
				f.neverAcked7++
			}
			if inc.RecurrenceKey == RecurringKey {
				f.recurring7++
			}
			if inc.RecurrenceKey == "" {
				k := inc.Service + "|" + masker.ReplaceAllString(inc.Title, "#")
				if masked[k] == nil {
					masked[k] = map[string]bool{}
				}
				masked[k][inc.Title] = true
			}
		}
		if inc.Team == TeamPayments {
			if w7 {
				f.paymentsIncidents7++
				if people[HeroID] {
					heroIn7++
				}
			}
			if w28 {
				f.paymentsIncidents28++
				if people[HeroID] {
					heroIn28++
				}
			}
		}
	}
	f.heroShare7 = float64(heroIn7) / float64(f.paymentsIncidents7)
	f.heroShare28 = float64(heroIn28) / float64(f.paymentsIncidents28)
	f.keylessDistinctMasked7 = len(masked)
	for _, titles := range masked {
		f.maskedRepeat7 = max(f.maskedRepeat7, len(titles))
	}
	for team, set := range services {
		f.servicesPerTeam[team] = len(set)
	}
	f.incidentsPerDay = float64(f.incidentsTotal7) / 7

	// Interruptions: non-email pages, one per person per 60 s.
	byPerson := map[string][]incident.Page{}
	for _, p := range st.pages {
		if in(p.At, 7*24*time.Hour) {
			f.pagesTotal7++
			f.channels7[p.Channel]++
			byPerson[p.PersonID] = append(byPerson[p.PersonID], p)
		}
	}
	searchMembers := map[string]bool{}
	for _, m := range st.teams[TeamSearch].Members {
		searchMembers[m] = true
	}
	for person, pages := range byPerson {
		sort.Slice(pages, func(i, j int) bool { return pages[i].At.Before(pages[j].At) })
		var last time.Time
		for i, p := range pages {
			if i > 0 && p.At.Sub(pages[i-1].At) < time.Minute {
				f.closePairs7++
			}
			if p.Channel == incident.ChannelEmail {
				continue
			}
			if !last.IsZero() && p.At.Sub(last) < time.Minute {
				continue
			}
			last = p.At
			if person == HeroID && sleeping(person, p.At) {
				f.heroSleepPages7++
			}
			if searchMembers[person] && st.incidents[p.IncidentID].Team == TeamSearch {
				f.searchInterruptions7++
				if sleeping(person, p.At) {
					f.searchSleepPages7++
				}
			}
		}
	}

	// Off-rotation: engaged while not on call (any level) for the incident's policy.
	off := map[string]map[string]bool{} // person → incidents
	shiftsOf := map[string][]incident.Shift{}
	for _, sh := range st.shifts {
		shiftsOf[sh.PersonID+"|"+sh.EscalationPolicy] = append(shiftsOf[sh.PersonID+"|"+sh.EscalationPolicy], sh)
	}
	onCall := func(person, policy string, at time.Time) bool {
		for _, sh := range shiftsOf[person+"|"+policy] {
			if !at.Before(sh.Start) && (sh.End.IsZero() || at.Before(sh.End)) {
				return true
			}
		}
		return false
	}
	for _, e := range st.engs {
		if onCall(e.PersonID, st.incidents[e.IncidentID].EscalationPolicy, e.At) {
			continue
		}
		if off[e.PersonID] == nil {
			off[e.PersonID] = map[string]bool{}
		}
		off[e.PersonID][e.IncidentID] = true
	}
	for id := range off[HelperID] {
		if c := st.incidents[id].CreatedAt; in(c, 28*24*time.Hour) {
			f.helperOffRotation28++
			if in(c, 7*24*time.Hour) {
				f.helperOffRotation7++
			}
		}
	}
	for id := range off[HeroID] {
		if in(st.incidents[id].CreatedAt, 28*24*time.Hour) {
			f.heroOffRotation28++
		}
	}
	for _, e := range st.engs {
		if in(e.At, 7*24*time.Hour) {
			f.engsTotal7++
		}
	}
	return f
}

// checkPatterns asserts the stories the demo exists to tell.
func checkPatterns(t *testing.T, f figures) {
	t.Helper()
	check := func(ok bool, format string, args ...any) {
		t.Helper()
		if !ok {
			t.Errorf(format, args...)
		}
	}
	// The hero.
	check(f.heroShare7 >= 0.6 && f.heroShare28 >= 0.6, "hero engaged in %.2f (7d) / %.2f (28d) of payments incidents, want ≥ 0.6", f.heroShare7, f.heroShare28)
	check(f.heroSleepPages7 >= 10, "hero has %d sleep-hour interruptions in 7d, want ≥ 10", f.heroSleepPages7)
	check(f.paymentsResponders28 >= 4, "payments has %d responders in 28d, want ≥ 4", f.paymentsResponders28)
	check(f.paymentsIncidents28 >= 40, "payments has %d incidents in 28d, want ≥ 40", f.paymentsIncidents28)
	check(f.heroLoad28 > 2*f.paymentsTopOtherShare28, "hero load share %.2f is not clearly above the next person's %.2f", f.heroLoad28, f.paymentsTopOtherShare28)
	// The recurring incident, and masking material.
	// Never two quiet 12-hour blocks in a row: at least 6 in any 13 whole blocks.
	check(f.recurring7 >= 6, "%s recurred %d times in 7d, want ≥ 6", RecurringKey, f.recurring7)
	check(f.maskedRepeat7 >= 3, "the most repeated masked title has %d distinct raw titles in 7d, want ≥ 3", f.maskedRepeat7)
	check(f.titlesWithNumbers*10 >= f.incidentsWithoutKey28*8, "only %d titles carry numbers or ids", f.titlesWithNumbers)
	// Solo long incidents.
	check(f.soloLong7 >= 5 && f.soloLong28 >= 20, "solo long incidents %d (7d) / %d (28d)", f.soloLong7, f.soloLong28)
	check(f.openSolo >= 1, "no open incident worked solo for > 20m at now")
	// The off-rotation helper.
	check(f.helperOffRotation7 >= 3 && f.helperOffRotation28 >= 12, "helper off-rotation incidents %d (7d) / %d (28d)", f.helperOffRotation7, f.helperOffRotation28)
	// The healthy team.
	check(f.searchTop7 <= 0.35 && f.searchTop28 <= 0.35, "search top load share %.2f (7d) / %.2f (28d), want ≤ 0.35", f.searchTop7, f.searchTop28)
	check(f.searchResponders7 >= 4, "search has %d responders in 7d", f.searchResponders7)
	check(f.searchSleepPages7 <= 3, "search has %d sleep-hour interruptions in 7d, want few", f.searchSleepPages7)
	// Texture.
	check(f.neverAcked7 >= 3, "%d never-acknowledged incidents in 7d", f.neverAcked7)
	for _, sev := range []incident.Severity{incident.SeverityCritical, incident.SeverityHigh, incident.SeverityLow} {
		check(f.severities7[sev] >= 5, "%d %s incidents in 7d", f.severities7[sev], sev)
	}
	for _, ch := range []string{incident.ChannelPush, incident.ChannelPhone, incident.ChannelSMS, incident.ChannelEmail} {
		check(f.channels7[ch] >= 5, "%d %s pages in 7d", f.channels7[ch], ch)
	}
	check(f.channels7[incident.ChannelEmail]*2 < f.pagesTotal7, "email is %d of %d pages, want a minority", f.channels7[incident.ChannelEmail], f.pagesTotal7)
	check(f.closePairs7 >= 3, "%d notification pairs < 60 s apart in 7d", f.closePairs7)
	for _, team := range []string{TeamPayments, TeamPlatform, TeamSearch} {
		check(f.servicesPerTeam[team] >= 3, "team %s has %d services", team, f.servicesPerTeam[team])
	}
	check(f.incidentsPerDay >= 48 && f.incidentsPerDay <= 96, "%.1f incidents a day, want one every 15–30 min", f.incidentsPerDay)
}

func TestPatternsAtPinnedNow(t *testing.T) {
	f := measure(t, load(t, 1, pinned), pinned)
	t.Logf("figures at %s, seed 1: %+v", pinned.Format(time.RFC3339), f)
	checkPatterns(t, f)
}

func TestPatternsAtOtherTimes(t *testing.T) {
	for _, tc := range []struct {
		name string
		now  time.Time
		seed int64
	}{
		{"saturday night", time.Date(2026, 11, 21, 23, 10, 0, 0, time.UTC), 1},
		{"Europe DST ends", time.Date(2026, 10, 25, 1, 30, 0, 0, time.UTC), 1},
		{"Europe DST starts", time.Date(2026, 3, 29, 2, 15, 0, 0, time.UTC), 2},
		{"US DST starts", time.Date(2026, 3, 8, 7, 0, 0, 0, time.UTC), 3},
		{"new year", time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC), 4},
		{"monday hand-off", time.Date(2026, 11, 16, 9, 0, 30, 0, time.UTC), 5},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := measure(t, load(t, tc.seed, tc.now), tc.now)
			t.Logf("hero %.2f/%.2f sleep pages %d; search top %.2f/%.2f", f.heroShare7, f.heroShare28, f.heroSleepPages7, f.searchTop7, f.searchTop28)
			checkPatterns(t, f)
		})
	}
}

// TestPatternsSweep checks the patterns at many unremarkable moments and seeds, so a
// story that only holds on average would show up here.
func TestPatternsSweep(t *testing.T) {
	if testing.Short() {
		t.Skip("sweep")
	}
	start := time.Date(2025, 6, 1, 0, 0, 0, 0, time.UTC)
	for i := range 16 {
		now := start.Add(time.Duration(i) * (17*24 + 7) * time.Hour).Add(time.Duration(i*13) * time.Minute)
		seed := int64(100 + i)
		t.Run(now.Format(time.RFC3339), func(t *testing.T) {
			t.Parallel()
			checkPatterns(t, measure(t, load(t, seed, now), now))
		})
	}
}

package store

import (
	"bytes"
	"cmp"
	"context"
	"crypto/rand"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
	"unsafe"

	"github.com/hero-exporter/hero_exporter/internal/incident"
	"github.com/hero-exporter/hero_exporter/internal/source"
)

var t0 = time.Date(2026, 11, 1, 12, 0, 0, 0, time.UTC)

func openTest(t testing.TB) (*Store, string) {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "data")
	s, err := Open(context.Background(), dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s, dir
}

func mustWrite(t testing.TB, s *Store, src string, b *source.Batch) {
	t.Helper()
	if err := s.Write(context.Background(), src, b); err != nil {
		t.Fatal(err)
	}
}

func mustLoad(t testing.TB, s *Store, since time.Time) *incident.History {
	t.Helper()
	h, err := s.LoadHistory(context.Background(), since)
	if err != nil {
		t.Fatal(err)
	}
	return h
}

// ms is what a time looks like after a trip through the store.
func ms(t time.Time) time.Time { return fromMillis(millis(t)) }

// expected returns the history LoadHistory should return for batches written by
// source, in sorted order: sources set, times at millisecond precision.
func expected(batches map[string]*source.Batch) *incident.History {
	h := &incident.History{}
	for src, b := range batches {
		for _, p := range b.People {
			p.Source = src
			h.People = append(h.People, p)
		}
		for _, t := range b.Teams {
			t.Source = src
			t.Members = slices.Clone(t.Members)
			h.Teams = append(h.Teams, t)
		}
		for _, in := range b.Incidents {
			in.Source = src
			in.CreatedAt, in.AcknowledgedAt, in.ResolvedAt = ms(in.CreatedAt), ms(in.AcknowledgedAt), ms(in.ResolvedAt)
			h.Incidents = append(h.Incidents, in)
		}
		for _, p := range b.Pages {
			p.Source = src
			p.At = ms(p.At)
			h.Pages = append(h.Pages, p)
		}
		for _, e := range b.Engagements {
			e.Source = src
			e.At = ms(e.At)
			h.Engagements = append(h.Engagements, e)
		}
		for _, sh := range b.Shifts {
			sh.Source = src
			sh.Start, sh.End = ms(sh.Start), ms(sh.End)
			h.Shifts = append(h.Shifts, sh)
		}
		for _, ch := range b.Changes {
			ch.Source = src
			ch.Time = ms(ch.Time)
			ch.Kind = incident.ParseChangeKind(ch.Kind)
			h.Changes = append(h.Changes, ch)
		}
	}
	sortHistory(h)
	return h
}

func sortHistory(h *incident.History) {
	slices.SortFunc(h.People, func(a, b incident.Person) int {
		return cmp.Or(cmp.Compare(a.Source, b.Source), cmp.Compare(a.ID, b.ID))
	})
	slices.SortFunc(h.Teams, func(a, b incident.Team) int {
		return cmp.Or(cmp.Compare(a.Source, b.Source), cmp.Compare(a.Name, b.Name))
	})
	slices.SortFunc(h.Incidents, func(a, b incident.Incident) int {
		return cmp.Or(cmp.Compare(a.Source, b.Source), cmp.Compare(a.ID, b.ID))
	})
	slices.SortFunc(h.Pages, func(a, b incident.Page) int {
		return cmp.Or(cmp.Compare(a.Source, b.Source), cmp.Compare(a.ID, b.ID))
	})
	slices.SortFunc(h.Engagements, func(a, b incident.Engagement) int {
		return cmp.Or(cmp.Compare(a.Source, b.Source), cmp.Compare(a.ID, b.ID))
	})
	slices.SortFunc(h.Shifts, func(a, b incident.Shift) int {
		return cmp.Or(cmp.Compare(a.Source, b.Source), cmp.Compare(a.ID, b.ID))
	})
	slices.SortFunc(h.Changes, func(a, b incident.Change) int {
		return cmp.Or(cmp.Compare(a.Source, b.Source), cmp.Compare(a.ID, b.ID))
	})
	slices.SortFunc(h.CreatedTotals, func(a, b incident.CreatedCount) int {
		return cmp.Or(cmp.Compare(a.Source, b.Source), cmp.Compare(a.Team, b.Team), cmp.Compare(a.Severity, b.Severity))
	})
}

// records compares the record slices of got (sorted in place) and want.
func checkRecords(t *testing.T, got, want *incident.History) {
	t.Helper()
	sortHistory(got)
	check := func(what string, g, w any) {
		t.Helper()
		gv, wv := reflect.ValueOf(g), reflect.ValueOf(w)
		if gv.Len() != wv.Len() {
			t.Errorf("%s: got %d, want %d", what, gv.Len(), wv.Len())
			return
		}
		for i := range gv.Len() {
			if !reflect.DeepEqual(gv.Index(i).Interface(), wv.Index(i).Interface()) {
				t.Errorf("%s[%d]:\n got %+v\nwant %+v", what, i, gv.Index(i).Interface(), wv.Index(i).Interface())
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
}

func sampleBatch() *source.Batch {
	return &source.Batch{
		People: []incident.Person{
			{Source: "bogus", ID: "U1", Name: "Ana", Email: "ana@example.com", TimeZone: "Europe/Berlin"},
			{ID: "U2", Name: "Bo", Email: "bo@example.com"},
		},
		Teams: []incident.Team{
			{Name: "payments", Members: []string{"U2", "U1"}},
			{Name: "empty"},
		},
		Incidents: []incident.Incident{
			{Source: "bogus", ID: "I1", Title: "Checkout down", Team: "payments", Service: "checkout",
				Severity: incident.SeverityCritical, EscalationPolicy: "EP1", RecurrenceKey: "k1",
				CreatedAt: t0, AcknowledgedAt: t0.Add(90*time.Second + 123456789), ResolvedAt: t0.Add(time.Hour)},
			{ID: "I2", Title: "Disk full", Severity: incident.SeverityUnknown, CreatedAt: t0.Add(time.Minute)},
		},
		Pages: []incident.Page{
			{ID: "P1", IncidentID: "I1", PersonID: "U1", At: t0.Add(time.Second), Channel: incident.ChannelPush},
			{ID: "P2", IncidentID: "I1", PersonID: "U2", At: t0.Add(2 * time.Second), Channel: incident.ChannelPhone},
			{ID: "P3", IncidentID: "I2", PersonID: "U2", At: t0.Add(time.Minute), Channel: incident.ChannelEmail},
		},
		Engagements: []incident.Engagement{
			{ID: "E1", IncidentID: "I1", PersonID: "U1", Kind: incident.EngageAcknowledge, At: t0.Add(90 * time.Second)},
			{ID: "E2", IncidentID: "I1", PersonID: "U2", Kind: incident.EngageResolve, At: t0.Add(time.Hour)},
		},
		Shifts: []incident.Shift{
			{ID: "S1", PersonID: "U1", EscalationPolicy: "EP1", Level: 1, Start: t0.Add(-time.Hour), End: t0.Add(23 * time.Hour)},
			{ID: "S2", PersonID: "U2", EscalationPolicy: "EP1", Level: 2, Start: t0.Add(-time.Hour)},
		},
		Changes: []incident.Change{
			{Source: "bogus", ID: "C1", Team: "payments", Service: "checkout", Kind: incident.ChangeDeploy,
				Time: t0.Add(-30*time.Minute + 123456789)},
			{ID: "C2", Kind: incident.ChangeConfig, Time: t0.Add(-2 * time.Hour)},
		},
		Cursor: "c1",
	}
}

func TestRoundTrip(t *testing.T) {
	s, _ := openTest(t)
	ctx := context.Background()
	caps := incident.Capabilities{People: true, Pages: true, Engagements: true}
	if err := s.RegisterSource(ctx, "pd", "pagerduty", caps); err != nil {
		t.Fatal(err)
	}
	if err := s.RegisterSource(ctx, "og", "opsgenie", incident.Capabilities{OnCall: true}); err != nil {
		t.Fatal(err)
	}
	// Registering again replaces.
	if err := s.RegisterSource(ctx, "og", "opsgenie", incident.Capabilities{OnCall: true, People: true}); err != nil {
		t.Fatal(err)
	}
	pd := sampleBatch()
	other := sampleBatch() // same ids, other source: stored separately
	other.Cursor = "c2"
	mustWrite(t, s, "pd", pd)
	mustWrite(t, s, "og", other)
	mustWrite(t, s, "unregistered", &source.Batch{Incidents: []incident.Incident{{ID: "X", CreatedAt: t0}}})

	h := mustLoad(t, s, time.Time{})
	want := expected(map[string]*source.Batch{"pd": pd, "og": other,
		"unregistered": {Incidents: []incident.Incident{{ID: "X", CreatedAt: t0}}}})
	checkRecords(t, h, want)

	wantSources := map[string]incident.Capabilities{
		"pd":           caps,
		"og":           {OnCall: true, People: true},
		"unregistered": {},
	}
	if !reflect.DeepEqual(h.Sources, wantSources) {
		t.Errorf("sources: got %+v, want %+v", h.Sources, wantSources)
	}
	for src, c := range map[string]string{"pd": "c1", "og": "c2", "unregistered": "", "missing": ""} {
		got, err := s.Cursor(ctx, src)
		if err != nil {
			t.Fatal(err)
		}
		if got != c {
			t.Errorf("cursor of %s: got %q, want %q", src, got, c)
		}
	}
	wantTotals := []incident.CreatedCount{
		{Source: "og", Team: "", Severity: incident.SeverityUnknown, Count: 1},
		{Source: "og", Team: "payments", Severity: incident.SeverityCritical, Count: 1},
		{Source: "pd", Team: "", Severity: incident.SeverityUnknown, Count: 1},
		{Source: "pd", Team: "payments", Severity: incident.SeverityCritical, Count: 1},
		{Source: "unregistered", Team: "", Severity: "", Count: 1},
	}
	if !reflect.DeepEqual(h.CreatedTotals, wantTotals) {
		t.Errorf("totals: got %+v, want %+v", h.CreatedTotals, wantTotals)
	}
	// Repeated strings are interned.
	var teams []incident.Incident
	for _, in := range h.Incidents {
		if in.Team == "payments" {
			teams = append(teams, in)
		}
	}
	if len(teams) != 2 || unsafeData(teams[0].Team) != unsafeData(teams[1].Team) {
		t.Errorf("team strings not shared: %d incidents", len(teams))
	}
}

func unsafeData(s string) *byte { return unsafe.StringData(s) }

func TestIncidentReplaced(t *testing.T) {
	s, _ := openTest(t)
	in := incident.Incident{ID: "I1", Title: "old", Team: "a", Severity: incident.SeverityLow, CreatedAt: t0}
	mustWrite(t, s, "pd", &source.Batch{Incidents: []incident.Incident{in}})
	// Unchanged re-write: still one.
	mustWrite(t, s, "pd", &source.Batch{Incidents: []incident.Incident{in}})
	in2 := incident.Incident{ID: "I1", Title: "new", Team: "b", Service: "svc", Severity: incident.SeverityHigh,
		EscalationPolicy: "EP", RecurrenceKey: "rk", CreatedAt: t0.Add(time.Second),
		AcknowledgedAt: t0.Add(time.Minute), ResolvedAt: t0.Add(time.Hour)}
	mustWrite(t, s, "pd", &source.Batch{Incidents: []incident.Incident{in2}})
	h := mustLoad(t, s, time.Time{})
	checkRecords(t, h, expected(map[string]*source.Batch{"pd": {Incidents: []incident.Incident{in2}}}))
	// Counted once, by the team and severity it was first stored with (a counter).
	want := []incident.CreatedCount{{Source: "pd", Team: "a", Severity: incident.SeverityLow, Count: 1}}
	if !reflect.DeepEqual(h.CreatedTotals, want) {
		t.Errorf("totals: got %+v, want %+v", h.CreatedTotals, want)
	}
	// A re-opened incident (resolved cleared) is open again.
	in2.ResolvedAt = time.Time{}
	mustWrite(t, s, "pd", &source.Batch{Incidents: []incident.Incident{in2}})
	h = mustLoad(t, s, t0.Add(24*time.Hour))
	if len(h.Incidents) != 1 || !h.Incidents[0].ResolvedAt.IsZero() {
		t.Errorf("re-opened incident: got %+v", h.Incidents)
	}
}

func TestPagesAndEngagementsUpserted(t *testing.T) {
	s, _ := openTest(t)
	b := sampleBatch()
	mustWrite(t, s, "pd", b)
	b2 := &source.Batch{
		Pages: []incident.Page{
			// P1 moves to another incident and person; P3 changes channel.
			{ID: "P1", IncidentID: "I2", PersonID: "U2", At: t0.Add(5 * time.Second), Channel: incident.ChannelSMS},
			{ID: "P3", IncidentID: "I2", PersonID: "U2", At: t0.Add(time.Minute), Channel: incident.ChannelPush},
		},
		Engagements: []incident.Engagement{
			{ID: "E1", IncidentID: "I2", PersonID: "U2", Kind: incident.EngageNote, At: t0.Add(3 * time.Minute)},
		},
		Shifts: []incident.Shift{
			{ID: "S2", PersonID: "U1", EscalationPolicy: "EP2", Level: 1, Start: t0, End: t0.Add(time.Hour)},
		},
		People: []incident.Person{{ID: "U1", Name: "Ana B.", Email: "ana@example.org"}},
	}
	mustWrite(t, s, "pd", b2)
	want := sampleBatch()
	want.Pages[0] = b2.Pages[0]
	want.Pages[2] = b2.Pages[1]
	want.Engagements[0] = b2.Engagements[0]
	want.Shifts[1] = b2.Shifts[0]
	want.People[0] = b2.People[0]
	checkRecords(t, mustLoad(t, s, time.Time{}), expected(map[string]*source.Batch{"pd": want}))
}

// TestChangesUpserted: changes are upserted by (source, id), an unknown kind is
// stored as "other", and LoadHistory reads those at or after since.
func TestChangesUpserted(t *testing.T) {
	s, _ := openTest(t)
	mustWrite(t, s, "ci", &source.Batch{Changes: []incident.Change{
		{ID: "d1", Service: "api", Kind: "deploy", Time: t0},
		{ID: "d2", Service: "api", Team: "core", Kind: "migration", Time: t0.Add(time.Hour)},
		{ID: "old", Service: "web", Kind: "rollback", Time: t0.Add(-48 * time.Hour)},
	}})
	// The same id again replaces; the same id in another source is another change.
	mustWrite(t, s, "ci", &source.Batch{Changes: []incident.Change{
		{ID: "d1", Service: "api", Team: "core", Kind: "rollback", Time: t0.Add(time.Minute)},
	}})
	mustWrite(t, s, "gh", &source.Batch{Changes: []incident.Change{{ID: "d1", Service: "web", Kind: "config", Time: t0}}})
	h := mustLoad(t, s, t0.Add(-24*time.Hour))
	sortHistory(h)
	want := []incident.Change{
		{Source: "ci", ID: "d1", Team: "core", Service: "api", Kind: "rollback", Time: t0.Add(time.Minute)},
		{Source: "ci", ID: "d2", Team: "core", Service: "api", Kind: "other", Time: t0.Add(time.Hour)},
		{Source: "gh", ID: "d1", Service: "web", Kind: "config", Time: t0},
	}
	if !reflect.DeepEqual(h.Changes, want) {
		t.Errorf("changes:\n got %+v\nwant %+v", h.Changes, want)
	}
	var n int
	if err := s.db.QueryRow(`SELECT count(*) FROM changes`).Scan(&n); err != nil || n != 4 {
		t.Errorf("stored changes: %d, %v; want 4", n, err)
	}
	// At since exactly is in; a millisecond before is out.
	h = mustLoad(t, s, t0.Add(time.Hour))
	if len(h.Changes) != 1 || h.Changes[0].ID != "d2" {
		t.Errorf("since the last change: %+v", h.Changes)
	}
	if h = mustLoad(t, s, t0.Add(time.Hour+time.Millisecond)); len(h.Changes) != 0 {
		t.Errorf("since after the last change: %+v", h.Changes)
	}
}

func TestTeamMembersReplaced(t *testing.T) {
	s, _ := openTest(t)
	mustWrite(t, s, "pd", &source.Batch{Teams: []incident.Team{
		{Name: "a", Members: []string{"U1", "U2", "U3"}},
		{Name: "b", Members: []string{"U1"}},
	}})
	mustWrite(t, s, "pd", &source.Batch{Teams: []incident.Team{
		{Name: "a", Members: []string{"U4", "U2"}},
		{Name: "c", Members: []string{"U9", "U9"}}, // duplicates collapse
	}})
	mustWrite(t, s, "og", &source.Batch{Teams: []incident.Team{{Name: "a", Members: []string{"X"}}}})
	h := mustLoad(t, s, time.Time{})
	sortHistory(h)
	want := []incident.Team{
		{Source: "og", Name: "a", Members: []string{"X"}},
		{Source: "pd", Name: "a", Members: []string{"U4", "U2"}},
		{Source: "pd", Name: "b", Members: []string{"U1"}},
		{Source: "pd", Name: "c", Members: []string{"U9"}},
	}
	if !reflect.DeepEqual(h.Teams, want) {
		t.Errorf("teams:\n got %+v\nwant %+v", h.Teams, want)
	}
	// A team written with no members keeps none.
	mustWrite(t, s, "pd", &source.Batch{Teams: []incident.Team{{Name: "a"}}})
	h = mustLoad(t, s, time.Time{})
	sortHistory(h)
	if len(h.Teams[1].Members) != 0 {
		t.Errorf("members of emptied team: %v", h.Teams[1].Members)
	}
}

// countdownCtx reports itself cancelled from the n-th call of Err on, so that a
// batch is cancelled deterministically half-way; calls counts the calls of Err.
type countdownCtx struct {
	context.Context
	n, calls atomic.Int64
}

func (c *countdownCtx) Err() error {
	c.calls.Add(1)
	if c.n.Add(-1) < 0 {
		return context.Canceled
	}
	return nil
}

func TestBatchAtomic(t *testing.T) {
	s, _ := openTest(t)
	ctx := context.Background()
	s.checkEvery = 16
	first := &source.Batch{Incidents: []incident.Incident{{ID: "I0", CreatedAt: t0}}, Cursor: "c0"}
	mustWrite(t, s, "pd", first)
	big := genHistory(200, 50, 2, t0)

	t.Run("cancelled", func(t *testing.T) {
		// Count how often a whole write of the batch looks at its context, then
		// cancel the real one half-way.
		other, _ := openTest(t)
		probe := &countdownCtx{Context: ctx}
		probe.n.Store(1 << 40)
		if err := other.Write(probe, "pd", big); err != nil {
			t.Fatal(err)
		}
		cctx := &countdownCtx{Context: ctx}
		cctx.n.Store(probe.calls.Load() / 2)
		err := s.Write(cctx, "pd", big)
		if !errors.Is(err, context.Canceled) || !strings.Contains(err.Error(), "write incidents") &&
			!strings.Contains(err.Error(), "write pages") {
			t.Fatalf("got %v, want context.Canceled half-way, while writing incidents or pages", err)
		}
	})
	t.Run("constraint", func(t *testing.T) {
		// A trigger provokes a failure on the last page, after everything else.
		if _, err := s.db.Exec(`CREATE TRIGGER test_boom BEFORE INSERT ON pages WHEN new.id = 'boom'
BEGIN SELECT RAISE(ABORT, 'provoked failure'); END`); err != nil {
			t.Fatal(err)
		}
		defer s.db.Exec(`DROP TRIGGER test_boom`)
		b := *big
		b.Pages = append(slices.Clone(big.Pages), incident.Page{ID: "boom", IncidentID: "I00000001"})
		err := s.Write(ctx, "pd", &b)
		if err == nil || !strings.Contains(err.Error(), "provoked failure") || !strings.Contains(err.Error(), `"boom"`) {
			t.Fatalf("got %v, want the provoked failure", err)
		}
	})
	t.Run("invalid", func(t *testing.T) {
		b := *big
		b.Engagements = append(slices.Clone(big.Engagements), incident.Engagement{IncidentID: "I00000001"})
		if err := s.Write(ctx, "pd", &b); err == nil {
			t.Fatal("engagement without id accepted")
		}
	})
	t.Run("change without id or time", func(t *testing.T) {
		for _, ch := range []incident.Change{{Time: t0, Service: "s"}, {ID: "C9", Service: "s"}} {
			b := *big
			b.Changes = []incident.Change{{ID: "C8", Service: "s", Time: t0}, ch}
			err := s.Write(ctx, "pd", &b)
			if err == nil || !strings.Contains(err.Error(), "write changes") {
				t.Fatalf("change %+v: got %v, want an error writing changes", ch, err)
			}
		}
	})
	t.Run("cancelled before", func(t *testing.T) {
		cctx, cancel := context.WithCancel(ctx)
		cancel()
		if err := s.Write(cctx, "pd", big); !errors.Is(err, context.Canceled) {
			t.Fatalf("got %v, want context.Canceled", err)
		}
	})

	// Nothing of the failed batches is there, and the cursor is still the first one.
	checkRecords(t, mustLoad(t, s, time.Time{}), expected(map[string]*source.Batch{"pd": first}))
	if c, err := s.Cursor(ctx, "pd"); err != nil || c != "c0" {
		t.Errorf("cursor: got %q, %v; want c0", c, err)
	}
	// The store is still usable, and the full batch goes in.
	mustWrite(t, s, "pd", big)
	h := mustLoad(t, s, time.Time{})
	if len(h.Incidents) != len(big.Incidents)+1 || len(h.Pages) != len(big.Pages) {
		t.Errorf("after good batch: %d incidents, %d pages", len(h.Incidents), len(h.Pages))
	}
	if c, _ := s.Cursor(ctx, "pd"); c != big.Cursor {
		t.Errorf("cursor: got %q, want %q", c, big.Cursor)
	}
}

func TestReopen(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	s, err := Open(ctx, dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	b := sampleBatch()
	mustWrite(t, s, "pd", b)
	if err := s.RegisterSource(ctx, "pd", "pagerduty", incident.Capabilities{Pages: true}); err != nil {
		t.Fatal(err)
	}
	if err := s.SaveLogState(ctx, "app", "pos", []byte("42")); err != nil {
		t.Fatal(err)
	}
	if err := s.AddSeenFingerprints(ctx, "app", []string{"f1", "f2"}, 10); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}

	s, err = Open(ctx, dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	h := mustLoad(t, s, time.Time{})
	checkRecords(t, h, expected(map[string]*source.Batch{"pd": b}))
	if !h.Sources["pd"].Pages {
		t.Errorf("sources: %+v", h.Sources)
	}
	if len(h.CreatedTotals) != 2 {
		t.Errorf("totals: %+v", h.CreatedTotals)
	}
	if c, _ := s.Cursor(ctx, "pd"); c != "c1" {
		t.Errorf("cursor: %q", c)
	}
	st, err := s.LoadLogState(ctx, "app")
	if err != nil || string(st["pos"]) != "42" {
		t.Errorf("log state: %v, %v", st, err)
	}
	fps, err := s.LoadSeenFingerprints(ctx, "app")
	if err != nil || !slices.Equal(fps, []string{"f1", "f2"}) {
		t.Errorf("fingerprints: %v, %v", fps, err)
	}
	var v int
	if err := s.db.QueryRow("PRAGMA user_version").Scan(&v); err != nil || v != len(migrations) {
		t.Errorf("user_version %d, %v; want %d", v, err, len(migrations))
	}
	var mode string
	if err := s.db.QueryRow("PRAGMA journal_mode").Scan(&mode); err != nil || mode != "wal" {
		t.Errorf("journal_mode %q, %v", mode, err)
	}
}

// dirContents returns the names and contents of the files in dir.
func dirContents(t *testing.T, dir string) map[string][]byte {
	t.Helper()
	ents, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	m := map[string][]byte{}
	for _, e := range ents {
		b, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		m[e.Name()] = b
	}
	return m
}

func checkRefused(t *testing.T, dir string, wantErr error, wantIn ...string) {
	t.Helper()
	before := dirContents(t, dir)
	s, err := Open(context.Background(), dir, nil)
	if err == nil {
		s.Close()
		t.Fatal("Open succeeded")
	}
	if !errors.Is(err, wantErr) {
		t.Errorf("error %q does not wrap %v", err, wantErr)
	}
	t.Log(err)
	for _, w := range append(wantIn, filepath.Join(dir, FileName)) {
		if !strings.Contains(err.Error(), w) {
			t.Errorf("error %q does not name %q", err, w)
		}
	}
	after := dirContents(t, dir)
	if len(after) != len(before) {
		t.Errorf("files changed: before %d, after %d", len(before), len(after))
	}
	for name, b := range before {
		if !bytes.Equal(after[name], b) {
			t.Errorf("%s changed", name)
		}
	}
}

func TestGarbageFileRefused(t *testing.T) {
	dir := t.TempDir()
	garbage := make([]byte, 8192)
	rand.Read(garbage)
	if err := os.WriteFile(filepath.Join(dir, FileName), garbage, 0o600); err != nil {
		t.Fatal(err)
	}
	checkRefused(t, dir, ErrCorrupt)
}

func TestGarbageAfterHeaderRefused(t *testing.T) {
	dir := t.TempDir()
	garbage := make([]byte, 8192)
	rand.Read(garbage)
	copy(garbage, sqliteHeader)
	if err := os.WriteFile(filepath.Join(dir, FileName), garbage, 0o600); err != nil {
		t.Fatal(err)
	}
	checkRefused(t, dir, ErrCorrupt)
}

func TestCorruptPagesRefused(t *testing.T) {
	dir := t.TempDir()
	s, err := Open(context.Background(), dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	mustWrite(t, s, "pd", genHistory(3000, 100, 5, t0))
	s.Close()
	path := filepath.Join(dir, FileName)
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if len(b) < 40*4096 {
		t.Fatalf("database only %d bytes", len(b))
	}
	// Scribble over pages in the middle of the file, leaving the header intact.
	for i := 20 * 4096; i < 30*4096; i++ {
		b[i] = byte(i * 7)
	}
	if err := os.WriteFile(path, b, 0o600); err != nil {
		t.Fatal(err)
	}
	checkRefused(t, dir, ErrCorrupt)
}

func TestNewerVersionRefused(t *testing.T) {
	dir := t.TempDir()
	s, err := Open(context.Background(), dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	mustWrite(t, s, "pd", sampleBatch())
	s.Close()
	future := len(migrations) + 3
	db, err := sql.Open("sqlite", filepath.Join(dir, FileName))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec(fmt.Sprintf("PRAGMA user_version = %d", future)); err != nil {
		t.Fatal(err)
	}
	db.Close()
	checkRefused(t, dir, ErrTooNew, fmt.Sprintf("version %d", future), fmt.Sprintf("version %d", len(migrations)))
}

func TestOpenCreatesDirAndIsIdempotent(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "a", "b")
	for range 2 {
		s, err := Open(context.Background(), dir, nil)
		if err != nil {
			t.Fatal(err)
		}
		if s.Path() != filepath.Join(dir, FileName) {
			t.Errorf("path %s", s.Path())
		}
		s.Close()
	}
	// An empty file is an empty database.
	dir2 := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir2, FileName), nil, 0o600); err != nil {
		t.Fatal(err)
	}
	s, err := Open(context.Background(), dir2, nil)
	if err != nil {
		t.Fatal(err)
	}
	s.Close()
}

func TestLoadHistorySince(t *testing.T) {
	s, _ := openTest(t)
	since := t0
	day := 24 * time.Hour
	b := &source.Batch{
		Incidents: []incident.Incident{
			{ID: "new", Team: "a", Severity: "high", CreatedAt: since.Add(time.Hour)},
			{ID: "at-since", Team: "a", Severity: "high", CreatedAt: since, ResolvedAt: since.Add(time.Minute)},
			{ID: "old-resolved", Team: "a", Severity: "high", CreatedAt: since.Add(-10 * day), ResolvedAt: since.Add(-9 * day)},
			{ID: "old-open", Team: "b", Severity: "low", CreatedAt: since.Add(-30 * day)},
			{ID: "old-resolved-after", Team: "", Severity: "low", CreatedAt: since.Add(-3 * day), ResolvedAt: since.Add(time.Hour)},
			{ID: "resolved-just-before", Team: "", Severity: "low", CreatedAt: since.Add(-3 * day), ResolvedAt: since.Add(-time.Millisecond)},
		},
		Pages: []incident.Page{
			{ID: "p-new", IncidentID: "new", At: since.Add(time.Hour)},
			{ID: "p-old", IncidentID: "old-resolved", At: since.Add(-10 * day)},
			{ID: "p-open", IncidentID: "old-open", At: since.Add(-30 * day)},
			{ID: "p-orphan", IncidentID: "never-stored", At: since.Add(time.Hour)},
		},
		Engagements: []incident.Engagement{
			{ID: "e-old", IncidentID: "old-resolved", At: since.Add(-9 * day)},
			{ID: "e-after", IncidentID: "old-resolved-after", At: since.Add(time.Hour)},
		},
		Shifts: []incident.Shift{
			{ID: "ended-before", Start: since.Add(-2 * day), End: since.Add(-day)},
			{ID: "ends-after", Start: since.Add(-2 * day), End: since.Add(day)},
			{ID: "open", Start: since.Add(-40 * day)},
		},
	}
	mustWrite(t, s, "pd", b)
	h := mustLoad(t, s, since)
	ids := func(n int, id func(int) string) []string {
		var out []string
		for i := range n {
			out = append(out, id(i))
		}
		slices.Sort(out)
		return out
	}
	got := ids(len(h.Incidents), func(i int) string { return h.Incidents[i].ID })
	if want := []string{"at-since", "new", "old-open", "old-resolved-after"}; !slices.Equal(got, want) {
		t.Errorf("incidents: got %v, want %v", got, want)
	}
	got = ids(len(h.Pages), func(i int) string { return h.Pages[i].ID })
	if want := []string{"p-new", "p-open"}; !slices.Equal(got, want) {
		t.Errorf("pages: got %v, want %v", got, want)
	}
	got = ids(len(h.Engagements), func(i int) string { return h.Engagements[i].ID })
	if want := []string{"e-after"}; !slices.Equal(got, want) {
		t.Errorf("engagements: got %v, want %v", got, want)
	}
	got = ids(len(h.Shifts), func(i int) string { return h.Shifts[i].ID })
	if want := []string{"ends-after", "open"}; !slices.Equal(got, want) {
		t.Errorf("shifts: got %v, want %v", got, want)
	}
	// CreatedTotals counts all of history, not only what was loaded.
	sortHistory(h)
	wantTotals := []incident.CreatedCount{
		{Source: "pd", Team: "", Severity: "low", Count: 2},
		{Source: "pd", Team: "a", Severity: "high", Count: 3},
		{Source: "pd", Team: "b", Severity: "low", Count: 1},
	}
	if !reflect.DeepEqual(h.CreatedTotals, wantTotals) {
		t.Errorf("totals:\n got %+v\nwant %+v", h.CreatedTotals, wantTotals)
	}
}

// TestCreatedTotalsNeverDecrease: hero_incidents_created_total counts each incident once,
// by the team and severity it was first stored with. Moving incidents to another team
// and severity, or deleting them, never makes a series go down.
func TestCreatedTotalsNeverDecrease(t *testing.T) {
	s, _ := openTest(t)
	ctx := context.Background()
	b := genHistory(2000, 200, 30, t0)
	mustWrite(t, s, "pd", b)
	mustWrite(t, s, "pd", b) // a full re-sync counts nothing twice
	series := func() map[incident.CreatedCount]int {
		got := map[incident.CreatedCount]int{}
		for _, c := range mustLoad(t, s, t0).CreatedTotals { // loads almost nothing, counts everything
			n := c.Count
			c.Count = 0
			got[c] += n
		}
		return got
	}
	before := series()
	// Move some incidents to another team and severity, then delete others by hand.
	moved := slices.Clone(b.Incidents[:100])
	for i := range moved {
		moved[i].Team = "moved"
		moved[i].Severity = incident.SeverityCritical
	}
	mustWrite(t, s, "pd", &source.Batch{Incidents: moved})
	mustWrite(t, s, "og", &source.Batch{Incidents: b.Incidents[:10]})
	if _, err := s.db.ExecContext(ctx, `DELETE FROM incidents WHERE id IN (SELECT id FROM incidents ORDER BY id LIMIT 50)`); err != nil {
		t.Fatal(err)
	}

	want := map[incident.CreatedCount]int{}
	for _, in := range b.Incidents { // the moved ones stay where they were first counted
		want[incident.CreatedCount{Source: "pd", Team: in.Team, Severity: in.Severity}]++
	}
	for _, in := range b.Incidents[:10] {
		want[incident.CreatedCount{Source: "og", Team: in.Team, Severity: in.Severity}]++
	}
	got := series()
	if !reflect.DeepEqual(got, want) {
		t.Errorf("totals:\n got %v\nwant %v", got, want)
	}
	if got[incident.CreatedCount{Source: "pd", Team: "moved", Severity: incident.SeverityCritical}] != 0 {
		t.Errorf("a moved incident was counted again under its new team")
	}
	for k, n := range before {
		if got[k] < n {
			t.Errorf("series %+v went down from %d to %d", k, n, got[k])
		}
	}
}

func TestSeenFingerprints(t *testing.T) {
	s, _ := openTest(t)
	ctx := context.Background()
	add := func(log string, limit int, fps ...string) {
		t.Helper()
		if err := s.AddSeenFingerprints(ctx, log, fps, limit); err != nil {
			t.Fatal(err)
		}
	}
	load := func(log string) []string {
		t.Helper()
		fps, err := s.LoadSeenFingerprints(ctx, log)
		if err != nil {
			t.Fatal(err)
		}
		return fps
	}
	add("a", 3, "f1", "f2")
	add("b", 3, "x1")
	add("a", 3, "f3", "f4", "f5")
	if got, want := load("a"), []string{"f3", "f4", "f5"}; !slices.Equal(got, want) {
		t.Errorf("a: got %v, want %v", got, want)
	}
	// Re-adding makes a fingerprint the newest; it is not stored twice.
	add("a", 3, "f3", "f6")
	if got, want := load("a"), []string{"f5", "f3", "f6"}; !slices.Equal(got, want) {
		t.Errorf("a: got %v, want %v", got, want)
	}
	// More at once than the limit: only the last ones stay.
	add("a", 2, "g1", "g2", "g3", "g1")
	if got, want := load("a"), []string{"g3", "g1"}; !slices.Equal(got, want) {
		t.Errorf("a: got %v, want %v", got, want)
	}
	if got, want := load("b"), []string{"x1"}; !slices.Equal(got, want) {
		t.Errorf("b: got %v, want %v", got, want)
	}
	if got := load("none"); len(got) != 0 {
		t.Errorf("none: %v", got)
	}
	if err := s.AddSeenFingerprints(ctx, "a", []string{"z"}, 0); err == nil {
		t.Error("limit 0 accepted")
	}
	// Many, bounded.
	var many []string
	for i := range 5000 {
		many = append(many, fmt.Sprintf("m%05d", i))
	}
	add("c", 1000, many...)
	if got := load("c"); len(got) != 1000 || got[0] != "m04000" || got[999] != "m04999" {
		t.Errorf("c: %d, %v … %v", len(got), got[0], got[len(got)-1])
	}
}

func TestLogState(t *testing.T) {
	s, _ := openTest(t)
	ctx := context.Background()
	m, err := s.LoadLogState(ctx, "app")
	if err != nil || len(m) != 0 {
		t.Fatalf("empty state: %v, %v", m, err)
	}
	for _, kv := range [][2]string{{"pos:/var/log/a.log", "100"}, {"inode:/var/log/a.log", "7"}, {"pos:/var/log/a.log", "250"}, {"empty", ""}} {
		if err := s.SaveLogState(ctx, "app", kv[0], []byte(kv[1])); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.SaveLogState(ctx, "other", "pos:/var/log/a.log", []byte{0, 1, 2}); err != nil {
		t.Fatal(err)
	}
	m, err = s.LoadLogState(ctx, "app")
	if err != nil {
		t.Fatal(err)
	}
	want := map[string][]byte{"pos:/var/log/a.log": []byte("250"), "inode:/var/log/a.log": []byte("7"), "empty": {}}
	if !reflect.DeepEqual(m, want) {
		t.Errorf("got %q, want %q", m, want)
	}
	if err := s.DeleteLogState(ctx, "app", "inode:/var/log/a.log"); err != nil {
		t.Fatal(err)
	}
	if err := s.DeleteLogState(ctx, "app", "missing"); err != nil {
		t.Fatal(err)
	}
	m, _ = s.LoadLogState(ctx, "app")
	if _, ok := m["inode:/var/log/a.log"]; ok || len(m) != 2 {
		t.Errorf("after delete: %q", m)
	}
	m, _ = s.LoadLogState(ctx, "other")
	if !bytes.Equal(m["pos:/var/log/a.log"], []byte{0, 1, 2}) {
		t.Errorf("other: %q", m)
	}
}

// TestConcurrentWriteAndLoad runs writers and readers at once: WAL lets loads read a
// consistent snapshot while batches commit, and writers wait for each other.
func TestConcurrentWriteAndLoad(t *testing.T) {
	s, _ := openTest(t)
	ctx := context.Background()
	b := genHistory(2000, 100, 10, t0)
	var wg sync.WaitGroup
	errs := make(chan error, 100)
	for w := range 3 {
		wg.Go(func() {
			for i := range 5 {
				part := &source.Batch{
					Incidents: b.Incidents[i*400 : (i+1)*400],
					Cursor:    fmt.Sprint(i),
				}
				if err := s.Write(ctx, fmt.Sprintf("src%d", w), part); err != nil {
					errs <- err
				}
			}
		})
	}
	for range 2 {
		wg.Go(func() {
			for range 10 {
				h, err := s.LoadHistory(ctx, time.Time{})
				if err != nil {
					errs <- err
					return
				}
				// A snapshot never shows half a batch.
				if len(h.Incidents)%400 != 0 {
					errs <- fmt.Errorf("saw %d incidents", len(h.Incidents))
				}
			}
		})
	}
	wg.Go(func() {
		for i := range 20 {
			if err := s.AddSeenFingerprints(ctx, "log", []string{fmt.Sprint(i)}, 5); err != nil {
				errs <- err
			}
		}
	})
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	h := mustLoad(t, s, time.Time{})
	if len(h.Incidents) != 3*2000 {
		t.Errorf("incidents: %d", len(h.Incidents))
	}
}

func TestLoadHistoryCancelled(t *testing.T) {
	s, _ := openTest(t)
	s.checkEvery = 16
	b := genHistory(200, 50, 2, t0)
	mustWrite(t, s, "pd", b)
	cctx := &countdownCtx{Context: context.Background()}
	cctx.n.Store(30) // people, teams and some of the incidents are loaded
	if _, err := s.LoadHistory(cctx, time.Time{}); !errors.Is(err, context.Canceled) ||
		!strings.Contains(err.Error(), "incidents") && !strings.Contains(err.Error(), "pages") {
		t.Fatalf("got %v, want context.Canceled while loading incidents or pages", err)
	}
	// The connection was given back without its read transaction: writes and loads
	// on the pool go on.
	for i := range 3 {
		mustWrite(t, s, "pd", &source.Batch{Incidents: []incident.Incident{{ID: fmt.Sprint("new", i), CreatedAt: t0}}})
		if h := mustLoad(t, s, time.Time{}); len(h.Incidents) != len(b.Incidents)+i+1 {
			t.Fatalf("got %d incidents", len(h.Incidents))
		}
	}
}

// TestNamesAfterRollback: a name created by a batch that fails is not cached, so its
// id, reused by the next transaction for another name, cannot decode wrongly.
func TestNamesAfterRollback(t *testing.T) {
	s, _ := openTest(t)
	if _, err := s.db.Exec(`CREATE TRIGGER test_boom BEFORE INSERT ON pages WHEN new.id = 'boom'
BEGIN SELECT RAISE(ABORT, 'provoked failure'); END`); err != nil {
		t.Fatal(err)
	}
	bad := &source.Batch{
		Incidents: []incident.Incident{{ID: "I1", Team: "ghost", Service: "ghost-svc", CreatedAt: t0}},
		Pages:     []incident.Page{{ID: "boom", IncidentID: "I1", PersonID: "ghost-person"}},
	}
	if err := s.Write(context.Background(), "pd", bad); err == nil {
		t.Fatal("provoked failure did not fail")
	}
	good := &source.Batch{Incidents: []incident.Incident{
		{ID: "I2", Team: "other", Service: "other-svc", CreatedAt: t0},
	}}
	mustWrite(t, s, "pd", good)
	later := &source.Batch{Incidents: []incident.Incident{
		{ID: "I3", Team: "ghost", Service: "ghost-svc", CreatedAt: t0},
	}}
	mustWrite(t, s, "pd", later)
	checkRecords(t, mustLoad(t, s, time.Time{}), expected(map[string]*source.Batch{
		"pd": {Incidents: append(slices.Clone(good.Incidents), later.Incidents...)},
	}))
}

// TestTwoStoresOneFile: two stores (as two processes would) on one file see each
// other's names and records.
func TestTwoStoresOneFile(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	a, err := Open(ctx, dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	b, err := Open(ctx, dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	ba := &source.Batch{Incidents: []incident.Incident{{ID: "A1", Team: "ta", Service: "shared", CreatedAt: t0}}}
	bb := &source.Batch{Incidents: []incident.Incident{{ID: "B1", Team: "tb", Service: "shared", CreatedAt: t0}}}
	mustWrite(t, a, "a", ba)
	mustLoad(t, b, time.Time{}) // b caches the names a has made so far
	mustWrite(t, b, "b", bb)
	mustWrite(t, a, "a", &source.Batch{Incidents: []incident.Incident{{ID: "A2", Team: "tb", Service: "new", CreatedAt: t0}}})
	want := expected(map[string]*source.Batch{
		"a": {Incidents: append(slices.Clone(ba.Incidents), incident.Incident{ID: "A2", Team: "tb", Service: "new", CreatedAt: t0})},
		"b": bb,
	})
	checkRecords(t, mustLoad(t, a, time.Time{}), want)
	checkRecords(t, mustLoad(t, b, time.Time{}), want)
}

func TestViews(t *testing.T) {
	s, _ := openTest(t)
	mustWrite(t, s, "pd", sampleBatch())
	var team, sev, svc string
	if err := s.db.QueryRow(`SELECT team, severity, service FROM incidents_view WHERE id = 'I1'`).Scan(&team, &sev, &svc); err != nil {
		t.Fatal(err)
	}
	if team != "payments" || sev != "critical" || svc != "checkout" {
		t.Errorf("incidents_view: %q %q %q", team, sev, svc)
	}
	for _, v := range []string{"sources_view", "people_view", "team_members_view", "incidents_view",
		"incident_totals_view", "pages_view", "engagements_view", "shifts_view", "changes_view"} {
		var n int
		if err := s.db.QueryRow(`SELECT count(*) FROM ` + v).Scan(&n); err != nil || n == 0 {
			t.Errorf("%s: %d rows, %v", v, n, err)
		}
	}
}

func TestOddDirectoryName(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "hero data ?#%20&x=1")
	s, err := Open(context.Background(), dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	mustWrite(t, s, "pd", sampleBatch())
	s.Close()
	if _, err := os.Stat(filepath.Join(dir, FileName)); err != nil {
		t.Fatal(err)
	}
	s, err = Open(context.Background(), dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if h := mustLoad(t, s, time.Time{}); len(h.Incidents) != 2 {
		t.Errorf("%d incidents", len(h.Incidents))
	}
}

func TestIncidentIDByRowid(t *testing.T) {
	incs := []incident.Incident{{ID: "a"}, {ID: "b"}, {ID: "c"}, {ID: "d"}}
	l := &loader{rowids: []int64{10, 20, 30, 40}}
	var got []string
	for _, r := range []int64{10, 10, 30, 40, 40} { // in order, with repeats and gaps
		got = append(got, l.incidentID(r, incs))
	}
	if l.byRowid != nil {
		t.Error("fell back to the map for rowids in order")
	}
	for _, r := range []int64{20, 10, 40} { // out of order: the map takes over
		got = append(got, l.incidentID(r, incs))
	}
	if want := []string{"a", "a", "c", "d", "d", "b", "a", "d"}; !slices.Equal(got, want) {
		t.Errorf("got %v, want %v", got, want)
	}
	if l.noRowid {
		t.Error("noRowid set")
	}
	if id := l.incidentID(int64(99), incs); id != "" || !l.noRowid || l.badRowid != 99 {
		t.Errorf("unknown rowid: %q, %v, %d", id, l.noRowid, l.badRowid)
	}
}

// TestOpenCancelledIsNotCorrupt: a failure that says nothing about the file is not
// reported as corruption.
func TestOpenCancelledIsNotCorrupt(t *testing.T) {
	dir := t.TempDir()
	s, err := Open(context.Background(), dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	s.Close()
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	s, err = Open(ctx, dir, nil)
	if err == nil {
		s.Close()
		t.Fatal("Open with a cancelled context succeeded")
	}
	if errors.Is(err, ErrCorrupt) || !errors.Is(err, context.Canceled) {
		t.Errorf("got %v", err)
	}
}

package engine

import (
	"cmp"
	"context"
	"errors"
	"io"
	"log/slog"
	"reflect"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hero-exporter/hero_exporter/internal/incident"
	"github.com/hero-exporter/hero_exporter/internal/source"
)

// memStore is an in-memory Store.
type memStore struct {
	mu        sync.Mutex
	incidents map[string]incident.Incident
	cursors   map[string]string
	caps      map[string]incident.Capabilities
	loads     atomic.Int32
}

func newMemStore() *memStore {
	return &memStore{incidents: map[string]incident.Incident{}, cursors: map[string]string{}, caps: map[string]incident.Capabilities{}}
}

func (m *memStore) Write(_ context.Context, src string, b *source.Batch) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, in := range b.Incidents {
		in.Source = src
		m.incidents[src+"/"+in.ID] = in
	}
	if b.Cursor != "" {
		m.cursors[src] = b.Cursor
	}
	return nil
}

func (m *memStore) Cursor(_ context.Context, src string) (string, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.cursors[src], nil
}

func (m *memStore) RegisterSource(_ context.Context, name, _ string, caps incident.Capabilities) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.caps[name] = caps
	return nil
}

func (m *memStore) LoadHistory(context.Context, time.Time) (*incident.History, error) {
	m.loads.Add(1)
	m.mu.Lock()
	defer m.mu.Unlock()
	h := &incident.History{Sources: map[string]incident.Capabilities{}}
	for k, v := range m.caps {
		h.Sources[k] = v
	}
	for _, in := range m.incidents {
		h.Incidents = append(h.Incidents, in)
	}
	return h, nil
}

// fakeSource creates one incident per sync, named after the cursor it was given.
type fakeSource struct {
	name    string
	fail    atomic.Bool
	block   chan struct{} // when non-nil, Sync waits on it, ignoring cancellation (a misbehaving source)
	calls   atomic.Int32
	active  atomic.Int32
	maxSeen atomic.Int32
}

func (f *fakeSource) Name() string                        { return f.name }
func (f *fakeSource) Type() string                        { return "fake" }
func (f *fakeSource) Capabilities() incident.Capabilities { return incident.Capabilities{} }

func (f *fakeSource) Sync(ctx context.Context, cursor string, sink source.Sink) error {
	n := f.active.Add(1)
	defer f.active.Add(-1)
	for {
		old := f.maxSeen.Load()
		if n <= old || f.maxSeen.CompareAndSwap(old, n) {
			break
		}
	}
	f.calls.Add(1)
	if f.block != nil {
		<-f.block
	}
	if f.fail.Load() {
		return errors.New("remote said no")
	}
	next := cursor + "x"
	return sink.Write(ctx, f.name, &source.Batch{
		Incidents: []incident.Incident{{ID: next, Team: "t", CreatedAt: time.Now().Add(-time.Minute)}},
		Cursor:    next,
	})
}

func quietLogger() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(2 * time.Millisecond)
	}
}

func totalIncidents(s *incident.Snapshot) int {
	n := 0
	for _, c := range s.Incidents {
		if c.Window == "7d" {
			n += c.Count
		}
	}
	return n
}

func TestApplyPublishesStoredDataBeforeAnySync(t *testing.T) {
	st := newMemStore()
	_ = st.Write(context.Background(), "old", &source.Batch{Incidents: []incident.Incident{{ID: "1", CreatedAt: time.Now().Add(-time.Hour)}}})
	e := New(st, quietLogger(), Options{MaxStartJitter: time.Hour})
	if e.Ready() {
		t.Fatal("ready before Apply")
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer func() { cancel(); e.Wait() }()
	if err := e.Apply(ctx, incident.DefaultSettings(), []Runnable{{Source: &fakeSource{name: "s"}, Interval: time.Hour}}); err != nil {
		t.Fatal(err)
	}
	if e.Snapshot() == nil || totalIncidents(e.Snapshot()) != 1 {
		t.Fatalf("snapshot after Apply = %+v", e.Snapshot())
	}
	// Source s has stored nothing and has not synced yet: not ready.
	if e.Ready() {
		t.Fatal("ready before the first sync of a source without stored history")
	}
	if st := e.SourceStatuses(); len(st) != 1 || st[0].Attempted {
		t.Fatalf("statuses = %+v", st)
	}
}

func TestSyncRecomputesAndRecordsStatus(t *testing.T) {
	st := newMemStore()
	e := New(st, quietLogger(), Options{MaxStartJitter: time.Millisecond, RecomputeEvery: time.Hour})
	ctx, cancel := context.WithCancel(context.Background())
	defer func() { cancel(); e.Wait() }()
	src := &fakeSource{name: "s"}
	if err := e.Apply(ctx, incident.DefaultSettings(), []Runnable{{Source: src, Interval: 5 * time.Millisecond}}); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "three incidents in the snapshot", func() bool { return totalIncidents(e.Snapshot()) >= 3 })
	s := e.SourceStatuses()[0]
	if !s.Attempted || !s.Up || s.LastSuccess.IsZero() || s.Type != "fake" {
		t.Fatalf("status = %+v", s)
	}
	// Cursor handed back: each sync continued from the last one.
	if c, _ := st.Cursor(ctx, "s"); len(c) < 3 {
		t.Fatalf("cursor = %q", c)
	}
}

func TestFailureKeepsDataAndMarksSourceDown(t *testing.T) {
	st := newMemStore()
	e := New(st, quietLogger(), Options{MaxStartJitter: time.Millisecond, RecomputeEvery: time.Hour})
	ctx, cancel := context.WithCancel(context.Background())
	defer func() { cancel(); e.Wait() }()
	src := &fakeSource{name: "s"}
	if err := e.Apply(ctx, incident.DefaultSettings(), []Runnable{{Source: src, Interval: 5 * time.Millisecond}}); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "a first incident", func() bool { return totalIncidents(e.Snapshot()) >= 1 })
	src.fail.Store(true)
	waitFor(t, "the source to be down", func() bool { return !e.SourceStatuses()[0].Up })
	s := e.SourceStatuses()[0]
	if s.LastSuccess.IsZero() || s.LastError != "remote said no" {
		t.Fatalf("status = %+v", s)
	}
	if totalIncidents(e.Snapshot()) < 1 {
		t.Fatal("stored data dropped after a failed sync")
	}
}

func TestReloadNeverOverlapsRunsOfOneSource(t *testing.T) {
	st := newMemStore()
	e := New(st, quietLogger(), Options{MaxStartJitter: time.Millisecond, RecomputeEvery: time.Hour})
	ctx, cancel := context.WithCancel(context.Background())
	defer func() { cancel(); e.Wait() }()
	block := make(chan struct{})
	old := &fakeSource{name: "s", block: block}
	if err := e.Apply(ctx, incident.DefaultSettings(), []Runnable{{Source: old, Interval: 2 * time.Millisecond}}); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the first sync to start", func() bool { return old.active.Load() == 1 })
	// Reload while the old run hangs: the new runner must skip, not run alongside.
	next := &fakeSource{name: "s"}
	if err := e.Apply(ctx, incident.DefaultSettings(), []Runnable{{Source: next, Interval: 2 * time.Millisecond}}); err != nil {
		t.Fatal(err)
	}
	time.Sleep(30 * time.Millisecond)
	if n := next.calls.Load(); n != 0 {
		t.Fatalf("new runner synced %d times while the old run was still active", n)
	}
	close(block)
	waitFor(t, "the new runner to sync", func() bool { return next.calls.Load() > 0 })
	if old.maxSeen.Load() != 1 || next.maxSeen.Load() != 1 || old.calls.Load() != 1 {
		t.Fatalf("overlapping runs: old max %d calls %d, new max %d", old.maxSeen.Load(), old.calls.Load(), next.maxSeen.Load())
	}
}

func TestBackoffDoublesAndCaps(t *testing.T) {
	e := New(newMemStore(), quietLogger(), Options{MaxBackoff: time.Minute})
	for failures, want := range map[int]time.Duration{1: 20 * time.Second, 2: 40 * time.Second, 3: time.Minute, 10: time.Minute} {
		for i := 0; i < 50; i++ {
			got := e.backoff(10*time.Second, failures)
			if got < want*9/10 || got > want*11/10 {
				t.Fatalf("backoff(10s, %d) = %v, want %v ±10%%", failures, got, want)
			}
		}
	}
	// An interval beyond the cap is never shortened by it.
	if got := e.backoff(2*time.Hour, 1); got < 108*time.Minute {
		t.Fatalf("backoff(2h, 1) = %v", got)
	}
}

func TestRecomputeBeforeApply(t *testing.T) {
	if err := New(newMemStore(), quietLogger(), Options{}).Recompute(context.Background()); err == nil {
		t.Fatal("no error")
	}
}

// TestRecomputeWithHistoryCache runs the engine on a real store, which it reads
// through the store's history cache, while batches arrive and the clock moves. The
// snapshot is the analytics of the cache's history (a second cache, given the same
// calls, has the same records in the same order), and those records are
// LoadHistory's: the analytics of both, put in one order, agree. (The order matters:
// Compute breaks ties of simultaneous pages by input order, and its engagement
// lookup can miss an incident when sources alternate.)
func TestRecomputeWithHistoryCache(t *testing.T) {
	now := time.Date(2026, 11, 22, 12, 0, 0, 0, time.UTC)
	st, sample := fillStore(t, 3000, now)
	clock := now
	// No background recompute: the test moves clock between its own Recompute calls.
	e := New(st, quietLogger(), Options{Now: func() time.Time { return clock }, RecomputeEvery: time.Hour})
	ctx, cancel := context.WithCancel(context.Background())
	defer func() { cancel(); e.Wait() }()
	settings := incident.DefaultSettings()
	since := func() time.Time { return clock.Add(-settings.HistoryNeeded()) }
	twin := st.NewHistoryCache()
	if err := e.Apply(ctx, settings, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := twin.Load(ctx, since()); err != nil {
		t.Fatal(err)
	}
	ch := &changer{sample: sample}
	for step := range 8 {
		clock = clock.Add(time.Duration(step) * 6 * time.Hour)
		ch.write(t, st, clock, 20)
		if err := e.Recompute(ctx); err != nil {
			t.Fatal(err)
		}
		cached, err := twin.Load(ctx, since())
		if err != nil {
			t.Fatal(err)
		}
		got, want := *e.Snapshot(), incident.Compute(cached, settings, clock)
		trends := got.Trends
		got.Trends = nil
		if !reflect.DeepEqual(&got, want) {
			t.Fatalf("step %d: the snapshot is not the analytics of the cached history", step)
		}
		// From the second step on the clock has moved more than previousEvery: the
		// previous windows were replayed on this history.
		if step > 0 {
			if wantT := incident.ComputeTrends(cached, settings, clock, want, incident.ReplayPrevious(cached, settings, clock)); !reflect.DeepEqual(trends, wantT) {
				t.Fatalf("step %d: the trends are not those of the cached history", step)
			}
		}
		full, err := st.LoadHistory(ctx, since())
		if err != nil {
			t.Fatal(err)
		}
		a := incident.Compute(canonical(cached), settings, clock)
		b := incident.Compute(canonical(full), settings, clock)
		if !reflect.DeepEqual(a, b) {
			t.Fatalf("step %d: the analytics of the cached history differ from those of LoadHistory's", step)
		}
	}
}

// canonical returns a copy of h with its records sorted by (source, id).
func canonical(h *incident.History) *incident.History {
	c := *h
	c.People = slices.Clone(h.People)
	slices.SortFunc(c.People, func(a, b incident.Person) int {
		return cmp.Or(cmp.Compare(a.Source, b.Source), cmp.Compare(a.ID, b.ID))
	})
	c.Teams = slices.Clone(h.Teams)
	slices.SortFunc(c.Teams, func(a, b incident.Team) int {
		return cmp.Or(cmp.Compare(a.Source, b.Source), cmp.Compare(a.Name, b.Name))
	})
	c.Incidents = slices.Clone(h.Incidents)
	slices.SortFunc(c.Incidents, func(a, b incident.Incident) int {
		return cmp.Or(cmp.Compare(a.Source, b.Source), cmp.Compare(a.ID, b.ID))
	})
	c.Pages = slices.Clone(h.Pages)
	slices.SortFunc(c.Pages, func(a, b incident.Page) int {
		return cmp.Or(cmp.Compare(a.Source, b.Source), cmp.Compare(a.ID, b.ID))
	})
	c.Engagements = slices.Clone(h.Engagements)
	slices.SortFunc(c.Engagements, func(a, b incident.Engagement) int {
		return cmp.Or(cmp.Compare(a.Source, b.Source), cmp.Compare(a.ID, b.ID))
	})
	c.Shifts = slices.Clone(h.Shifts)
	slices.SortFunc(c.Shifts, func(a, b incident.Shift) int {
		return cmp.Or(cmp.Compare(a.Source, b.Source), cmp.Compare(a.ID, b.ID))
	})
	c.CreatedTotals = slices.Clone(h.CreatedTotals)
	slices.SortFunc(c.CreatedTotals, func(a, b incident.CreatedCount) int {
		return cmp.Or(cmp.Compare(a.Source, b.Source), cmp.Compare(a.Team, b.Team), cmp.Compare(a.Severity, b.Severity))
	})
	return &c
}

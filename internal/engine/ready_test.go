package engine

import (
	"context"
	"testing"
	"time"

	"github.com/hero-exporter/hero_exporter/internal/incident"
	"github.com/hero-exporter/hero_exporter/internal/source"
)

// TestReadyWaitsForFirstSync: on a fresh store, /-/ready must not answer before every
// source has finished its first sync attempt and a snapshot with its data is published.
func TestReadyWaitsForFirstSync(t *testing.T) {
	st := newMemStore()
	e := New(st, quietLogger(), Options{MaxStartJitter: time.Millisecond, RecomputeEvery: time.Hour})
	ctx, cancel := context.WithCancel(context.Background())
	defer func() { cancel(); e.Wait() }()
	block := make(chan struct{})
	slow := &fakeSource{name: "slow", block: block}
	fast := &fakeSource{name: "fast"}
	if err := e.Apply(ctx, incident.DefaultSettings(), []Runnable{
		{Source: slow, Interval: time.Hour}, {Source: fast, Interval: time.Hour},
	}); err != nil {
		t.Fatal(err)
	}
	if e.Snapshot() == nil {
		t.Fatal("no snapshot after Apply")
	}
	waitFor(t, "the fast source's incident", func() bool { return totalIncidents(e.Snapshot()) == 1 })
	waitFor(t, "the slow sync to start", func() bool { return slow.active.Load() == 1 })
	if e.Ready() {
		t.Fatal("ready while the slow source's first sync is still running")
	}
	close(block)
	waitFor(t, "ready", e.Ready)
	// Ready implies the snapshot has both sources' first incidents.
	if n := totalIncidents(e.Snapshot()); n != 2 {
		t.Fatalf("ready with %d incidents in the snapshot, want 2", n)
	}
}

// A first attempt that fails settles the source too: readiness waits for data, not for a
// vendor to come back.
func TestReadyAfterFailedFirstSync(t *testing.T) {
	st := newMemStore()
	e := New(st, quietLogger(), Options{MaxStartJitter: time.Millisecond, RecomputeEvery: time.Hour})
	ctx, cancel := context.WithCancel(context.Background())
	defer func() { cancel(); e.Wait() }()
	src := &fakeSource{name: "down"}
	src.fail.Store(true)
	if err := e.Apply(ctx, incident.DefaultSettings(), []Runnable{{Source: src, Interval: time.Hour}}); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "ready after a failed attempt", e.Ready)
	if s := e.SourceStatuses()[0]; !s.Attempted || s.Up {
		t.Fatalf("status = %+v", s)
	}
}

// A source whose earlier data is in the store (a restart) is ready as soon as Apply has
// published the stored history; a source added later by a reload waits for its sync.
func TestReadyWithStoredHistoryAndReload(t *testing.T) {
	st := newMemStore()
	_ = st.Write(context.Background(), "s", &source.Batch{Incidents: []incident.Incident{{ID: "1", CreatedAt: time.Now().Add(-time.Hour)}}, Cursor: "x"})
	e := New(st, quietLogger(), Options{MaxStartJitter: time.Hour, RecomputeEvery: time.Hour})
	ctx, cancel := context.WithCancel(context.Background())
	defer func() { cancel(); e.Wait() }()
	if err := e.Apply(ctx, incident.DefaultSettings(), []Runnable{{Source: &fakeSource{name: "s"}, Interval: time.Hour}}); err != nil {
		t.Fatal(err)
	}
	if !e.Ready() || totalIncidents(e.Snapshot()) != 1 {
		t.Fatalf("not ready with stored history: ready %v, snapshot %+v", e.Ready(), e.Snapshot())
	}
	// A reload adds a source with nothing stored (its first sync is an hour away).
	if err := e.Apply(ctx, incident.DefaultSettings(), []Runnable{
		{Source: &fakeSource{name: "s"}, Interval: time.Hour}, {Source: &fakeSource{name: "new"}, Interval: time.Hour},
	}); err != nil {
		t.Fatal(err)
	}
	if e.Ready() {
		t.Fatal("ready before the new source's first sync")
	}
}

// TestReloadKeepsUnchangedRunners: a reload that hands in the same source instance with
// the same interval keeps its runner (no new sync, the schedule goes on); a new source
// starts; a changed interval restarts the runner.
func TestReloadKeepsUnchangedRunners(t *testing.T) {
	st := newMemStore()
	e := New(st, quietLogger(), Options{MaxStartJitter: time.Millisecond, RecomputeEvery: time.Hour})
	ctx, cancel := context.WithCancel(context.Background())
	defer func() { cancel(); e.Wait() }()
	a := &fakeSource{name: "a"}
	if err := e.Apply(ctx, incident.DefaultSettings(), []Runnable{{Source: a, Interval: time.Hour}}); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "a's first sync", func() bool { return a.calls.Load() == 1 })
	for range 3 { // repeated reloads must not sync a again
		b := &fakeSource{name: "b"}
		if err := e.Apply(ctx, incident.DefaultSettings(), []Runnable{{Source: a, Interval: time.Hour}, {Source: b, Interval: time.Hour}}); err != nil {
			t.Fatal(err)
		}
		waitFor(t, "the new source's first sync", func() bool { return b.calls.Load() == 1 })
	}
	time.Sleep(20 * time.Millisecond) // a restarted runner would sync a within 1 ms of its start
	if n := a.calls.Load(); n != 1 {
		t.Fatalf("unchanged source synced %d times across reloads, want 1", n)
	}
	if s := e.SourceStatuses(); len(s) != 2 || !s[0].Attempted || s[0].Name != "a" {
		t.Fatalf("statuses = %+v", s)
	}
	// Another interval is another schedule: the runner restarts.
	if err := e.Apply(ctx, incident.DefaultSettings(), []Runnable{{Source: a, Interval: 2 * time.Hour}}); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "a's sync after its interval changed", func() bool { return a.calls.Load() == 2 })
}

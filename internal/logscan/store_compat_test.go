package logscan

import (
	"context"
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/hero-exporter/hero_exporter/internal/store"
)

// The exporter's store persists follower state.
var _ StateStore = (*store.Store)(nil)

// TestFollowRestartWithStore: positions and seen fingerprints survive a restart through
// the real (SQLite) store.
func TestFollowRestartWithStore(t *testing.T) {
	ctx := context.Background()
	e := newFollowEnv(t)
	dir := t.TempDir()
	open := func() *store.Store {
		st, err := store.Open(ctx, dir, slog.New(slog.NewTextHandler(io.Discard, nil)))
		if err != nil {
			t.Fatal(err)
		}
		return st
	}
	st := open()
	mk := func() *Follower {
		fl, err := NewFollower(FollowOptions{Name: "app", Paths: []string{e.path("app.log*")}, FromStart: true, Now: func() time.Time { return e.now }}, st)
		if err != nil {
			t.Fatal(err)
		}
		return fl
	}
	e.write("app.log", preamble+traces(0, 2))
	a := mk()
	expect(t, e.poll(a), 2, 1)
	a.Close(ctx)
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}
	e.appendTo("app.log", trace(2))
	e.rename("app.log", "app.log.1")
	e.write("app.log", traces(3, 1))
	st = open()
	defer st.Close()
	b := mk()
	s := e.poll(b)
	expect(t, s, 4, 2) // the counters continue: 2 before, traces 2 and 3 after
	if s.NewFingerprints != 1 {
		t.Errorf("new fingerprints after restart: %d, want 1 (the one counted before)", s.NewFingerprints)
	}
}

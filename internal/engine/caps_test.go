package engine

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/hero-exporter/hero_exporter/internal/incident"
	"github.com/hero-exporter/hero_exporter/internal/source/file"
	"github.com/hero-exporter/hero_exporter/internal/store"
)

// offRotation returns alice's off-rotation figure in 7d, and whether it is present.
func offRotation(t *testing.T, s *incident.Snapshot) (int, bool) {
	t.Helper()
	for _, r := range s.Responders {
		if r.Person == "alice" && r.Window == "7d" {
			return r.OffRotation, r.HasOnCall
		}
	}
	t.Fatalf("no responder row for alice in %+v", s.Responders)
	return 0, false
}

// TestCapabilitiesSurviveRestartAndReload: a file source with shifts supplies on-call
// data. After a restart on the same store, and after a reload, the file is unchanged and
// not read again; the off-rotation figures must stay, from what the store recorded.
func TestCapabilitiesSurviveRestartAndReload(t *testing.T) {
	now := time.Now().UTC().Truncate(time.Second)
	ts := func(d time.Duration) string { return now.Add(-d).Format(time.RFC3339) }
	dir := t.TempDir()
	path := filepath.Join(dir, "h.ndjson")
	// alice acknowledges I1 (policy ep1) while bob, not alice, is on call: 1 off-rotation.
	data := `{"type":"person","id":"a","name":"alice"}
{"type":"person","id":"b","name":"bob"}
{"type":"team","name":"payments","members":["a","b"]}
{"type":"incident","id":"I1","team":"payments","escalation_policy":"ep1","created_at":"` + ts(3*time.Hour) + `","resolved_at":"` + ts(2*time.Hour) + `"}
{"type":"engagement","id":"e1","incident_id":"I1","person_id":"a","kind":"acknowledge","at":"` + ts(3*time.Hour-time.Minute) + `"}
{"type":"shift","id":"s1","person_id":"b","escalation_policy":"ep1","level":1,"start":"` + ts(48*time.Hour) + `"}
`
	if err := os.WriteFile(path, []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
	storeDir := filepath.Join(dir, "store")
	ctx := context.Background()
	run := func(what string, reload bool) {
		st, err := store.Open(ctx, storeDir, nil)
		if err != nil {
			t.Fatal(err)
		}
		defer st.Close()
		e := New(st, quietLogger(), Options{MaxStartJitter: time.Millisecond, RecomputeEvery: time.Hour})
		rctx, cancel := context.WithCancel(ctx)
		defer func() { cancel(); e.Wait() }()
		apply := func() *file.Source {
			src := file.New("hist", path, quietLogger())
			if err := e.Apply(rctx, incident.DefaultSettings(), []Runnable{{Source: src, Interval: 5 * time.Millisecond}}); err != nil {
				t.Fatal(err)
			}
			return src
		}
		apply()
		// A few syncs, each followed by a recompute.
		waitFor(t, what+": synced and recomputed", func() bool {
			s := e.SourceStatuses()
			return len(s) == 1 && s[0].Up && e.Ready()
		})
		time.Sleep(20 * time.Millisecond)
		if err := e.Recompute(rctx); err != nil {
			t.Fatal(err)
		}
		if n, ok := offRotation(t, e.Snapshot()); !ok || n != 1 {
			t.Fatalf("%s: off-rotation = %d present %v, want 1 present", what, n, ok)
		}
		if !reload {
			return
		}
		apply() // a reload with an unchanged configuration and file
		waitFor(t, what+": synced after reload", func() bool { return e.SourceStatuses()[0].Up })
		time.Sleep(20 * time.Millisecond)
		if err := e.Recompute(rctx); err != nil {
			t.Fatal(err)
		}
		if n, ok := offRotation(t, e.Snapshot()); !ok || n != 1 {
			t.Fatalf("%s after reload: off-rotation = %d present %v, want 1 present", what, n, ok)
		}
	}
	run("first start", false)
	run("restart", true)
}

package store

import (
	"context"
	"os"
	"path/filepath"
	"sort"
	"testing"
	"time"

	"github.com/hero-exporter/hero_exporter/internal/incident"
	"github.com/hero-exporter/hero_exporter/internal/source"
)

// ids lists the ids of a history's records by kind, sorted.
func ids(h *incident.History) map[string][]string {
	out := map[string][]string{}
	for _, in := range h.Incidents {
		out["incidents"] = append(out["incidents"], in.ID)
	}
	for _, p := range h.Pages {
		out["pages"] = append(out["pages"], p.ID)
	}
	for _, e := range h.Engagements {
		out["engagements"] = append(out["engagements"], e.ID)
	}
	for _, s := range h.Shifts {
		out["shifts"] = append(out["shifts"], s.ID)
	}
	for _, c := range h.Changes {
		out["changes"] = append(out["changes"], c.ID)
	}
	for _, v := range out {
		sort.Strings(v)
	}
	return out
}

func totals(h *incident.History) int {
	n := 0
	for _, c := range h.CreatedTotals {
		n += c.Count
	}
	return n
}

// TestPrune: exactly what ended before the cutoff goes (hand-computed below), open
// incidents and open-ended shifts stay, the created counter does not go down, what the
// analytics read after the cutoff is the same before and after, a source sending the
// pruned data again stores nothing and counts nothing, and all of it holds after a
// restart; the history cache follows.
func TestPrune(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	s, err := Open(ctx, dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 11, 20, 12, 0, 0, 0, time.UTC)
	day := 24 * time.Hour
	cutoff := now.Add(-100 * day)
	at := func(d time.Duration) time.Time { return now.Add(-d) }
	batch := &source.Batch{
		Incidents: []incident.Incident{
			{ID: "A", Team: "t", CreatedAt: at(200 * day), ResolvedAt: at(199 * day)},                 // ended long before: pruned
			{ID: "B", Team: "t", CreatedAt: at(200 * day)},                                            // open: kept
			{ID: "C", Team: "t", CreatedAt: at(150 * day), ResolvedAt: at(90 * day)},                  // resolved after the cutoff: kept
			{ID: "D", Team: "t", CreatedAt: at(101 * day), ResolvedAt: cutoff},                        // ended exactly at the cutoff: kept
			{ID: "E", Team: "t", CreatedAt: at(101 * day), ResolvedAt: cutoff.Add(-time.Millisecond)}, // 1 ms before: pruned
			{ID: "F", Team: "t", CreatedAt: at(1 * day), ResolvedAt: at(1 * day).Add(time.Hour)},      // recent: kept
		},
		Pages: []incident.Page{
			{ID: "pA1", IncidentID: "A", At: at(200 * day)}, {ID: "pA2", IncidentID: "A", At: at(200 * day)},
			{ID: "pB", IncidentID: "B", At: at(200 * day)}, {ID: "pE", IncidentID: "E", At: at(101 * day)},
			{ID: "pF", IncidentID: "F", At: at(1 * day)},
		},
		Engagements: []incident.Engagement{
			{ID: "eA", IncidentID: "A", Kind: incident.EngageAcknowledge, At: at(200 * day)},
			{ID: "eC", IncidentID: "C", Kind: incident.EngageAcknowledge, At: at(150 * day)},
		},
		Shifts: []incident.Shift{
			{ID: "s-old", Start: at(160 * day), End: at(150 * day)},
			{ID: "s-open", Start: at(300 * day)},
			{ID: "s-recent", Start: at(60 * day), End: at(50 * day)},
		},
		Changes: []incident.Change{
			{ID: "c-old", Service: "api", Kind: incident.ChangeDeploy, Time: at(120 * day)},
			{ID: "c-new", Service: "api", Kind: incident.ChangeDeploy, Time: at(10 * day)},
		},
	}
	if err := s.Write(ctx, "pd", batch); err != nil {
		t.Fatal(err)
	}
	cache := s.NewHistoryCache()
	if _, err := cache.Load(ctx, cutoff); err != nil {
		t.Fatal(err)
	}
	before, err := s.LoadHistory(ctx, cutoff)
	if err != nil {
		t.Fatal(err)
	}
	got, err := s.Prune(ctx, cutoff)
	if err != nil {
		t.Fatal(err)
	}
	if want := (PruneStats{Incidents: 2, Pages: 3, Engagements: 1, Shifts: 1, Changes: 1}); got != want || s.Pruned() != want {
		t.Fatalf("pruned %+v (counted %+v), want %+v", got, s.Pruned(), want)
	}
	check := func(s *Store) {
		t.Helper()
		all, err := s.LoadHistory(ctx, time.Time{})
		if err != nil {
			t.Fatal(err)
		}
		want := map[string][]string{
			"incidents": {"B", "C", "D", "F"}, "pages": {"pB", "pF"}, "engagements": {"eC"},
			"shifts": {"s-open", "s-recent"}, "changes": {"c-new"},
		}
		for kind, w := range want {
			if g := ids(all)[kind]; len(g) != len(w) || (len(g) > 0 && !equal(g, w)) {
				t.Errorf("%s after the prune: %v, want %v", kind, g, w)
			}
		}
		if n := totals(all); n != 6 {
			t.Errorf("created totals %d after the prune, want 6: the counter must not go down", n)
		}
		after, err := s.LoadHistory(ctx, cutoff)
		if err != nil {
			t.Fatal(err)
		}
		if a, b := ids(after), ids(before); !equalIDs(a, b) {
			t.Errorf("what the analytics read changed:\nbefore %v\nafter  %v", b, a)
		}
	}
	check(s)
	fromCache, err := cache.Load(ctx, cutoff)
	if err != nil {
		t.Fatal(err)
	}
	if a, b := ids(fromCache), ids(before); !equalIDs(a, b) {
		t.Errorf("the cache differs after the prune:\n%v\nwant %v", a, b)
	}
	// The source sends everything again (a file re-read): nothing pruned comes back.
	if err := s.Write(ctx, "pd", batch); err != nil {
		t.Fatal(err)
	}
	check(s)
	s.Close()

	// Restart: the cutoff is remembered.
	s, err = Open(ctx, dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if pb, err := s.PrunedBefore(ctx); err != nil || !pb.Equal(cutoff) {
		t.Fatalf("pruned before %v, %v; want %v", pb, err, cutoff)
	}
	if err := s.Write(ctx, "pd", batch); err != nil {
		t.Fatal(err)
	}
	check(s)
}

func equal(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func equalIDs(a, b map[string][]string) bool {
	for _, k := range []string{"incidents", "pages", "engagements", "shifts", "changes"} {
		if !equal(a[k], b[k]) {
			return false
		}
	}
	return true
}

// TestPruneReclaimsSpace: after pruning most of a store the file shrinks (incremental
// auto_vacuum), also for a store created before it was switched on.
func TestPruneReclaimsSpace(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	s, err := Open(ctx, dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	now := time.Date(2026, 11, 20, 12, 0, 0, 0, time.UTC)
	var b source.Batch
	for i := range 20000 {
		created := now.Add(-time.Duration(i) * time.Hour / 50)
		b.Incidents = append(b.Incidents, incident.Incident{ID: "i" + string(rune('a'+i%26)) + itoa(i), Team: "t", Title: "disk full on a host with a long name",
			CreatedAt: created, ResolvedAt: created.Add(time.Hour)})
	}
	if err := s.Write(ctx, "pd", &b); err != nil {
		t.Fatal(err)
	}
	if _, err := s.db.ExecContext(ctx, `PRAGMA wal_checkpoint(TRUNCATE)`); err != nil {
		t.Fatal(err)
	}
	full := fileSize(t, filepath.Join(dir, FileName))
	// 20,000 incidents, one every 72 s back from now: a cutoff 40 h ago keeps 2,000.
	if _, err := s.Prune(ctx, now.Add(-40*time.Hour)); err != nil {
		t.Fatal(err)
	}
	pruned := fileSize(t, filepath.Join(dir, FileName))
	t.Logf("file %d bytes, %d after pruning 90%%", full, pruned)
	if pruned*3 > full {
		t.Errorf("file %d bytes after pruning 90%% of %d bytes: space not reclaimed", pruned, full)
	}
}

func itoa(i int) string { return time.Duration(i).String() }

func fileSize(t *testing.T, p string) int64 {
	t.Helper()
	fi, err := os.Stat(p)
	if err != nil {
		t.Fatal(err)
	}
	return fi.Size()
}

func TestAutoVacuumIncremental(t *testing.T) {
	s, err := Open(context.Background(), t.TempDir(), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	var av int
	if err := s.db.QueryRow(`PRAGMA auto_vacuum`).Scan(&av); err != nil || av != 2 {
		t.Fatalf("auto_vacuum %d, %v; want 2 (incremental)", av, err)
	}
}

package httpapi

import (
	"context"
	"encoding/json"
	"errors"
	"testing"
	"time"

	"github.com/hero-exporter/hero_exporter/internal/incident"
	"github.com/hero-exporter/hero_exporter/internal/source"
)

type testCursor struct {
	SyncCursor
	X string `json:"x,omitempty"`
}

type fixedClock struct{ t time.Time }

func (c *fixedClock) Now() time.Time                                   { return c.t }
func (c *fixedClock) Sleep(ctx context.Context, _ time.Duration) error { return ctx.Err() }

type writeSink struct {
	batches []*source.Batch
	fail    bool
}

func (s *writeSink) Write(_ context.Context, _ string, b *source.Batch) error {
	if s.fail {
		return errors.New("disk full")
	}
	s.batches = append(s.batches, b)
	return nil
}

func (s *writeSink) cursor(t *testing.T) testCursor {
	t.Helper()
	var c testCursor
	if err := json.Unmarshal([]byte(s.batches[len(s.batches)-1].Cursor), &c); err != nil {
		t.Fatal(err)
	}
	return c
}

func TestSyncerPlan(t *testing.T) {
	t0 := time.Date(2026, 3, 10, 12, 0, 0, 0, time.UTC)
	for _, cache := range []ReferenceCache{ReferenceInCursor, ReferenceInMemory} {
		clock := &fixedClock{t: t0.Add(700 * time.Millisecond)} // truncated to the second
		sy := &Syncer{Type: "vendor", Name: "main", Clock: clock, History: 48 * time.Hour, Overlap: 5 * time.Minute,
			ReferenceInterval: time.Hour, Cache: cache, Version: 2, BatchRecords: 2}
		sink := &writeSink{}
		var plans []Plan
		var prevs []testCursor
		sync := func(raw string, reread bool) error {
			return Sync(context.Background(), sy, raw, sink, func(_ context.Context, p Plan, cur *testCursor) (Result[testCursor], error) {
				plans, prevs = append(plans, p), append(prevs, *cur)
				res := Result[testCursor]{Data: &source.Batch{Incidents: make([]incident.Incident, 3)}, Next: testCursor{X: "n"}, Reread: reread}
				if p.Refresh {
					res.Reference = &source.Batch{People: []incident.Person{{ID: "p"}}}
				}
				return res, nil
			})
		}
		// 1. No cursor: back-fill all of history, reference read, written first.
		if err := sync("", false); err != nil {
			t.Fatal(err)
		}
		p := plans[0]
		if !p.Backfill || !p.Refresh || !p.Now.Equal(t0) || !p.HistoryStart.Equal(t0.Add(-48*time.Hour)) || !p.From.Equal(p.HistoryStart) {
			t.Fatalf("%d: back-fill plan %+v", cache, p)
		}
		// reference, then 3 incidents in batches of 2: 3 writes, the cursor on the last.
		if len(sink.batches) != 3 || len(sink.batches[0].People) != 1 || sink.batches[0].Cursor != "" || sink.batches[1].Cursor != "" {
			t.Fatalf("%d: writes %+v", cache, sink.batches)
		}
		c := sink.cursor(t)
		wantRef := t0
		if cache == ReferenceInMemory {
			wantRef = time.Time{} // not in the cursor
		}
		if c.V != 2 || !c.CompleteUntil.Equal(t0) || !c.ReferenceAt.Equal(wantRef) || c.X != "n" {
			t.Fatalf("%d: cursor %+v", cache, c)
		}
		raw := sink.batches[2].Cursor

		// 2. 30 minutes later: incremental from CompleteUntil−5m, no reference.
		clock.t = t0.Add(30 * time.Minute)
		sink.batches = nil
		if err := sync(raw, false); err != nil {
			t.Fatal(err)
		}
		p = plans[1]
		if p.Backfill || p.Refresh || !p.From.Equal(t0.Add(-5*time.Minute)) || prevs[1].X != "n" {
			t.Fatalf("%d: incremental plan %+v, previous cursor %+v", cache, p, prevs[1])
		}
		if len(sink.batches) != 2 || sink.batches[0].People != nil {
			t.Fatalf("%d: reference written although not due: %+v", cache, sink.batches)
		}
		if c := sink.cursor(t); !c.CompleteUntil.Equal(t0.Add(30*time.Minute)) || !c.ReferenceAt.Equal(wantRef) {
			t.Fatalf("%d: cursor %+v", cache, c)
		}
		raw = sink.batches[1].Cursor

		// 3. Exactly an hour after the reference read: due again. Reread keeps the window.
		clock.t = t0.Add(time.Hour)
		sink.batches = nil
		if err := sync(raw, true); err != nil {
			t.Fatal(err)
		}
		if p := plans[2]; !p.Refresh || p.Backfill {
			t.Fatalf("%d: plan an hour later %+v", cache, p)
		}
		c = sink.cursor(t)
		if !c.CompleteUntil.Equal(t0.Add(30 * time.Minute)) {
			t.Errorf("%d: Reread: complete_until %s, want the previous one", cache, c.CompleteUntil)
		}
		if cache == ReferenceInCursor && !c.ReferenceAt.Equal(t0.Add(time.Hour)) {
			t.Errorf("%d: reference_at %s", cache, c.ReferenceAt)
		}

		// 4. A cursor of another version, or one so old the overlap is past history:
		// back-fill, and From never before the history start.
		if err := sync(`{"v":1,"complete_until":"2026-03-10T12:00:00Z"}`, false); err != nil {
			t.Fatal(err)
		}
		if !plans[3].Backfill {
			t.Errorf("%d: other version: %+v", cache, plans[3])
		}
		if err := sync(`{"v":2,"complete_until":"2026-03-01T00:00:00Z","reference_at":"2026-03-10T12:59:00Z"}`, false); err != nil {
			t.Fatal(err)
		}
		if p := plans[4]; p.Backfill || !p.From.Equal(p.HistoryStart) {
			t.Errorf("%d: old cursor: %+v", cache, p)
		}
	}
}

// A fresh in-memory Syncer (a restart) reads the reference on its first sync even
// with a recent cursor; a cursor-cached one does not.
func TestSyncerRestart(t *testing.T) {
	t0 := time.Date(2026, 3, 10, 12, 0, 0, 0, time.UTC)
	raw := `{"v":1,"complete_until":"2026-03-10T11:59:00Z","reference_at":"2026-03-10T11:30:00Z"}`
	for cache, want := range map[ReferenceCache]bool{ReferenceInCursor: false, ReferenceInMemory: true} {
		sy := &Syncer{Type: "vendor", Name: "main", Clock: &fixedClock{t: t0}, History: time.Hour, ReferenceInterval: time.Hour, Cache: cache, Version: 1, BatchRecords: 10}
		var got bool
		err := Sync(context.Background(), sy, raw, &writeSink{}, func(_ context.Context, p Plan, _ *testCursor) (Result[testCursor], error) {
			got = p.Refresh
			return Result[testCursor]{}, nil
		})
		if err != nil || got != want {
			t.Errorf("cache %d: refresh %v, want %v (err %v)", cache, got, want, err)
		}
	}
}

func TestSyncerErrors(t *testing.T) {
	sy := &Syncer{Type: "vendor", Name: "main", Clock: &fixedClock{t: time.Unix(1e9, 0)}, History: time.Hour, Version: 1, BatchRecords: 10}
	written := false
	err := Sync(context.Background(), sy, "", &writeSink{}, func(context.Context, Plan, *testCursor) (Result[testCursor], error) {
		return Result[testCursor]{Written: func() { written = true }}, errors.New("GET /x: HTTP 500")
	})
	if err == nil || err.Error() != "vendor main: GET /x: HTTP 500" || written {
		t.Errorf("body error: %v, written %v", err, written)
	}
	err = Sync(context.Background(), sy, "", &writeSink{fail: true}, func(context.Context, Plan, *testCursor) (Result[testCursor], error) {
		return Result[testCursor]{Reference: &source.Batch{}, Written: func() { written = true }}, nil
	})
	if err == nil || err.Error() != "vendor main: writing people and teams: disk full" || written {
		t.Errorf("write error: %v, written %v", err, written)
	}
	// A failed sync leaves the in-memory reference due.
	sy.Cache = ReferenceInMemory
	_ = Sync(context.Background(), sy, "", &writeSink{fail: true}, func(_ context.Context, p Plan, _ *testCursor) (Result[testCursor], error) {
		return Result[testCursor]{}, nil
	})
	if !sy.refAt.IsZero() {
		t.Errorf("reference time recorded after a failed write")
	}
}

package logscan

import (
	"fmt"
	"math/rand/v2"
	"reflect"
	"testing"
	"time"
)

func ev(fp string) *Event { return &Event{Fingerprint: fp, Type: "E"} }

// TestWindowStats: window 1d as of 2026-11-20 12:30 UTC; the window is (11-19 12:30,
// 11-20 12:30], the previous one (11-18 12:30, 11-19 12:30]. Hours count whole where
// they overlap:
//
//	A: 2 at 11-19 06:xx (previous), 1 at 11-20 10:00 (window)
//	B: 1 at 11-19 12:10 — its hour ends 13:00, after the window's start: window
//	C: 3 at 11-19 03:00 (previous only: retired)
//	D: 1 at 11-18 12:10 — its hour ends 13:00, after the previous window's start: previous
//	E: 1 at 11-18 11:00 — its hour ends 12:00, before both: nowhere
//
// window: A 1, B 1 → 2 events, top 10 = 2; previous: A 2, C 3, D 1 → 6, top 10 = 6;
// retired: C and D.
func TestWindowStats(t *testing.T) {
	now := time.Date(2026, 11, 20, 12, 30, 0, 0, time.UTC)
	c := NewCounter("app", 10, 0)
	c.SetClock(func() time.Time { return now })
	c.SetWindows([]Window{{Name: "1d", D: 24 * time.Hour}})
	at := func(d, h, m int) time.Time { return time.Date(2026, 11, d, h, m, 0, 0, time.UTC) }
	c.AddEventAt(ev("A"), at(19, 6, 5))
	c.AddEventAt(ev("A"), at(19, 6, 50))
	c.AddEventAt(ev("A"), at(20, 10, 0))
	c.AddEventAt(ev("B"), at(19, 12, 10))
	for range 3 {
		c.AddEventAt(ev("C"), at(19, 3, 0))
	}
	c.AddEventAt(ev("D"), at(18, 12, 10))
	c.AddEventAt(ev("E"), at(18, 11, 0))
	w := c.Stats().Windows
	if len(w) != 1 {
		t.Fatalf("windows %+v", w)
	}
	got := w[0]
	if got.Events["A"] != 1 || got.Events["B"] != 1 || got.Events["C"] != 0 || got.Other != 0 ||
		got.EventsPrevious != 6 || got.Top10 != 2 || got.Top10Previous != 6 || got.Retired != 2 {
		t.Fatalf("window figures %+v", got)
	}
}

// TestHourlyBound: an hour tracks at most top_k fingerprints, the rest counts as other;
// hours older than twice the longest window are dropped.
func TestHourlyBound(t *testing.T) {
	now := time.Date(2026, 11, 20, 12, 30, 0, 0, time.UTC)
	c := NewCounter("app", 2, 0)
	c.SetClock(func() time.Time { return now })
	c.SetWindows([]Window{{Name: "1h", D: time.Hour}})
	for _, fp := range []string{"A", "B", "C", "D", "A"} {
		c.AddEventAt(ev(fp), now)
	}
	h := c.hourly[now.Unix()/3600*3600]
	if len(h) != 3 || h["A"] != 2 || h["B"] != 1 || h[OtherFingerprint] != 2 {
		t.Fatalf("hour counts %v, want A 2, B 1, other 2", h)
	}
	c.AddEventAt(ev("old"), now.Add(-3*time.Hour))
	_, drop := c.hoursToSave(now)
	if len(drop) != 1 || len(c.hourly) != 1 {
		t.Fatalf("dropped %v, %d hours kept; want the hour 3h ago dropped (horizon 2h)", drop, len(c.hourly))
	}
}

// TestHourlyAcrossRestart: the hourly counts survive a restart on the same store, closed
// hours from their own rows and the open hour from the positions row, each counted once.
func TestHourlyAcrossRestart(t *testing.T) {
	e := newFollowEnv(t)
	e.write("app.log", preamble+traces(0, 2))
	opts := func() FollowOptions {
		return FollowOptions{Name: "app", Paths: []string{e.path("app.log")}, FromStart: true, TopK: 10,
			Now: func() time.Time { return e.now }, Windows: []Window{{Name: "7d", D: 7 * 24 * time.Hour}}}
	}
	fl, err := NewFollower(opts(), e.store)
	if err != nil {
		t.Fatal(err)
	}
	e.poll(fl)
	e.now = e.now.Add(2 * time.Hour) // the first hour closes
	e.appendTo("app.log", traces(2, 3))
	for range 5 {
		e.poll(fl)
	}
	before := fl.Counter().Stats()
	fl.Close(t.Context())
	var rows int
	for k := range e.store.state["app"] {
		if _, ok := parseHourKey(k); ok {
			rows++
		}
	}
	if rows != 1 {
		t.Fatalf("%d hour rows saved, want 1 (the closed hour)", rows)
	}

	fl2, err := NewFollower(opts(), e.store)
	if err != nil {
		t.Fatal(err)
	}
	e.poll(fl2)
	after := fl2.Counter().Stats()
	sum := func(s Stats) uint64 {
		var n uint64
		for _, v := range s.Windows[0].Events {
			n += v
		}
		return n + s.Windows[0].Other
	}
	if sum(before) != 5 || sum(after) != 5 {
		t.Fatalf("events in the window: %d before the restart, %d after; want 5 and 5", sum(before), sum(after))
	}
}

// BenchmarkStatsFullHours: Stats of a log whose hourly counts are full — top_k 100
// fingerprints in every hour of 2 × 28d (1,344 hours, 135,744 counts) — with windows 7d
// and 28d: what a scrape of the exceptions collector costs at the bound. Baseline in the
// same run: the same counter without windows (no trend figures).
//
//	go test -run '^$' -bench StatsFullHours -benchmem ./internal/logscan/
func BenchmarkStatsFullHours(b *testing.B) {
	now := time.Date(2026, 11, 20, 12, 30, 0, 0, time.UTC)
	fill := func(c *Counter) {
		for h := range 2 * 28 * 24 {
			at := now.Add(-time.Duration(h) * time.Hour)
			for f := range 101 {
				c.AddEventAt(ev(fmt.Sprintf("%016x", f)), at)
			}
		}
	}
	for _, tc := range []struct {
		name    string
		windows []Window
	}{{"baseline-no-windows", nil}, {"windows-7d-28d", []Window{{"7d", 7 * 24 * time.Hour}, {"28d", 28 * 24 * time.Hour}}}} {
		b.Run(tc.name, func(b *testing.B) {
			c := NewCounter("app", 100, 0)
			c.SetClock(func() time.Time { return now })
			c.SetWindows([]Window{{"28d", 28 * 24 * time.Hour}})
			fill(c)
			c.SetWindows(tc.windows)
			for b.Loop() {
				_ = c.Stats()
			}
		})
	}
}

// naiveWindow is the definition written out: every hour summed again.
func naiveWindow(c *Counter, w Window, now time.Time, tracked []FingerprintStat) WindowStat {
	n, d := now.Unix(), int64(w.D/time.Second)
	cur, prev := map[string]uint64{}, map[string]uint64{}
	for h, m := range c.hourly {
		var into map[string]uint64
		switch end := h + 3600; {
		case h > n:
			continue
		case end > n-d:
			into = cur
		case end > n-2*d:
			into = prev
		default:
			continue
		}
		for fp, k := range m {
			into[fp] += k
		}
	}
	ws := WindowStat{Window: w.Name, Events: map[string]uint64{}}
	var total uint64
	for _, k := range cur {
		total += k
	}
	for _, f := range tracked {
		ws.Events[f.Fingerprint] = cur[f.Fingerprint]
		total -= cur[f.Fingerprint]
	}
	ws.Other = total
	for _, k := range prev {
		ws.EventsPrevious += k
	}
	ws.Top10, ws.Top10Previous = top10(cur), top10(prev)
	for fp, k := range prev {
		if fp != OtherFingerprint && k > 0 && cur[fp] == 0 {
			ws.Retired++
		}
	}
	return ws
}

// TestWindowStatsCachedEqualsDefinition: the cached sums give exactly what summing every
// hour gives, while the clock moves (within an hour and across hours), events arrive in
// the current hour and, late, in closed ones.
func TestWindowStatsCachedEqualsDefinition(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	now := time.Date(2026, 11, 20, 12, 30, 0, 0, time.UTC)
	c := NewCounter("app", 12, 0)
	c.SetClock(func() time.Time { return now })
	ws := []Window{{"1d", 24 * time.Hour}, {"3d", 72 * time.Hour}}
	c.SetWindows(ws)
	for step := range 400 {
		switch r := rng.IntN(10); {
		case r < 5: // an event now
			c.AddEventAt(ev(fmt.Sprintf("fp%02d", rng.IntN(30))), now)
		case r < 7: // a late event in a closed hour
			c.AddEventAt(ev(fmt.Sprintf("fp%02d", rng.IntN(30))), now.Add(-time.Duration(rng.IntN(150))*time.Hour))
		case r < 9:
			now = now.Add(time.Duration(rng.IntN(40)) * time.Minute)
		default:
			c.hoursToSave(now)
		}
		s := c.Stats()
		c.mu.Lock()
		for i, w := range ws {
			if want := naiveWindow(c, w, now, s.Fingerprints); !reflect.DeepEqual(s.Windows[i], want) {
				c.mu.Unlock()
				t.Fatalf("step %d, %s: cached %+v, definition %+v", step, w.Name, s.Windows[i], want)
			}
		}
		c.mu.Unlock()
	}
}

package engine

import (
	"context"
	"os"
	"runtime"
	"runtime/debug"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/hero-exporter/hero_exporter/internal/incident"
	"github.com/hero-exporter/hero_exporter/internal/incident/synth"
	"github.com/hero-exporter/hero_exporter/internal/source"
	"github.com/hero-exporter/hero_exporter/internal/store"
)

// fillStore writes a synthetic history (3k people, 90 days) into a new store, one batch
// per source, as syncs would. It returns the store and a sample of the incidents
// written (every 100th), for later changes.
func fillStore(b testing.TB, incidents int, now time.Time) (*store.Store, []incident.Incident) {
	b.Helper()
	ctx := context.Background()
	st, err := store.Open(ctx, b.TempDir(), quietLogger())
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { st.Close() })
	h := synth.Generate(incidents, 3000, 90, 1, now)
	batches := map[string]*source.Batch{}
	get := func(src string) *source.Batch {
		if batches[src] == nil {
			batches[src] = &source.Batch{}
		}
		return batches[src]
	}
	for _, p := range h.People {
		get(p.Source).People = append(get(p.Source).People, p)
	}
	for _, t := range h.Teams {
		get(t.Source).Teams = append(get(t.Source).Teams, t)
	}
	var sample []incident.Incident
	for i, in := range h.Incidents {
		get(in.Source).Incidents = append(get(in.Source).Incidents, in)
		if i%100 == 0 {
			sample = append(sample, in)
		}
	}
	for _, p := range h.Pages {
		get(p.Source).Pages = append(get(p.Source).Pages, p)
	}
	for _, e := range h.Engagements {
		get(e.Source).Engagements = append(get(e.Source).Engagements, e)
	}
	for _, s := range h.Shifts {
		get(s.Source).Shifts = append(get(s.Source).Shifts, s)
	}
	for name, batch := range batches {
		if err := st.Write(ctx, name, batch); err != nil {
			b.Fatal(err)
		}
		if err := st.RegisterSource(ctx, name, "synth", h.Sources[name]); err != nil {
			b.Fatal(err)
		}
	}
	return st, sample
}

// changer writes what a sync after a quiet minute would: a few new incidents (each
// with a page and an engagement) and a few changed ones (acknowledged, resolved,
// retitled), in one batch per source.
type changer struct {
	sample []incident.Incident // incidents to change, by source
	n      int
}

func (c *changer) write(tb testing.TB, st Store, now time.Time, count int) {
	tb.Helper()
	batches := map[string]*source.Batch{}
	get := func(src string) *source.Batch {
		if batches[src] == nil {
			batches[src] = &source.Batch{}
		}
		return batches[src]
	}
	for k := range count {
		c.n++
		if k%2 == 0 {
			old := c.sample[(c.n*7919)%len(c.sample)]
			id := "new-" + strconv.Itoa(c.n)
			in := old
			created := now.Add(-time.Minute - time.Duration(c.n)*time.Millisecond)
			in.ID, in.CreatedAt, in.AcknowledgedAt, in.ResolvedAt = id, created, time.Time{}, time.Time{}
			b := get(in.Source)
			b.Incidents = append(b.Incidents, in)
			b.Pages = append(b.Pages, incident.Page{ID: id + "-p", IncidentID: id, PersonID: "P000001",
				At: in.CreatedAt, Channel: incident.ChannelPush})
			b.Engagements = append(b.Engagements, incident.Engagement{ID: id + "-e", IncidentID: id,
				PersonID: "P000001", Kind: incident.EngageAcknowledge, At: now})
			continue
		}
		in := c.sample[(c.n*104729)%len(c.sample)]
		switch c.n % 3 {
		case 0:
			in.AcknowledgedAt = now
		case 1:
			in.ResolvedAt = now
		default:
			in.Title += " (" + strconv.Itoa(c.n) + ")"
		}
		get(in.Source).Incidents = append(get(in.Source).Incidents, in)
	}
	for name, b := range batches {
		if err := st.Write(context.Background(), name, b); err != nil {
			tb.Fatal(err)
		}
	}
}

// peakRSS returns VmHWM of this process in MiB; resetPeakRSS starts a new peak (Linux).
func peakRSS() float64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, l := range strings.Split(string(b), "\n") {
		if f := strings.Fields(l); len(f) >= 2 && f[0] == "VmHWM:" {
			kb, _ := strconv.ParseFloat(f[1], 64)
			return kb / 1024
		}
	}
	return 0
}

func resetPeakRSS() {
	runtime.GC()
	debug.FreeOSMemory()
	_ = os.WriteFile("/proc/self/clear_refs", []byte("5"), 0)
}

// benchmarkRecompute measures what the exporter does after every sync in the steady
// state: the first recompute (a full load) before the timer, then per iteration a
// sync's batch of about 50 new and changed incidents (written with the timer
// stopped) and a recompute, with the clock 30s on, as the recompute loop would see
// it. first-peak-RSS-MiB is the process's peak resident memory during the first
// recompute (the generator's memory released first), peak-RSS-MiB that of the
// timed loop (the first recompute's garbage released first).
func benchmarkRecompute(b *testing.B, incidents int) {
	now := time.Date(2026, 11, 22, 12, 0, 0, 0, time.UTC)
	st, sample := fillStore(b, incidents, now)
	clock := now
	e := New(st, quietLogger(), Options{Now: func() time.Time { return clock }})
	ctx, cancel := context.WithCancel(context.Background())
	defer func() { cancel(); e.Wait() }()
	ch := &changer{sample: sample}
	resetPeakRSS()
	if err := e.Apply(ctx, incident.DefaultSettings(), nil); err != nil { // the first recompute
		b.Fatal(err)
	}
	firstPeak := peakRSS()
	resetPeakRSS()
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		b.StopTimer()
		clock = clock.Add(30 * time.Second)
		ch.write(b, st, clock, 50)
		b.StartTimer()
		if err := e.Recompute(ctx); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	b.ReportMetric(peakRSS(), "peak-RSS-MiB")
	b.ReportMetric(firstPeak, "first-peak-RSS-MiB")
	if len(e.Snapshot().Responders) == 0 {
		b.Fatal("empty snapshot")
	}
}

// plainStore hides the store's history cache: the engine loads everything on every
// recompute.
type plainStore struct{ Store }

// benchmarkRecomputeFullLoad measures the cold path: a recompute that reads the
// whole window from SQLite (LoadHistory), as the first recompute after a start does.
func benchmarkRecomputeFullLoad(b *testing.B, incidents int) {
	now := time.Date(2026, 11, 22, 12, 0, 0, 0, time.UTC)
	st, _ := fillStore(b, incidents, now)
	e := New(plainStore{st}, quietLogger(), Options{Now: func() time.Time { return now }})
	ctx, cancel := context.WithCancel(context.Background())
	defer func() { cancel(); e.Wait() }()
	resetPeakRSS()
	b.ReportAllocs()
	b.ResetTimer()
	if err := e.Apply(ctx, incident.DefaultSettings(), nil); err != nil { // the first recompute
		b.Fatal(err)
	}
	for i := 1; i < b.N; i++ {
		if err := e.Recompute(ctx); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	b.ReportMetric(peakRSS(), "peak-RSS-MiB")
	if len(e.Snapshot().Responders) == 0 {
		b.Fatal("empty snapshot")
	}
}

func BenchmarkRecompute100k(b *testing.B)         { benchmarkRecompute(b, 100_000) }
func BenchmarkRecompute1M(b *testing.B)           { benchmarkRecompute(b, 1_000_000) }
func BenchmarkRecomputeFullLoad1M(b *testing.B)   { benchmarkRecomputeFullLoad(b, 1_000_000) }
func BenchmarkRecomputeFullLoad100k(b *testing.B) { benchmarkRecomputeFullLoad(b, 100_000) }

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
// per source, as syncs would.
func fillStore(b *testing.B, incidents int, now time.Time) *store.Store {
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
	for _, in := range h.Incidents {
		get(in.Source).Incidents = append(get(in.Source).Incidents, in)
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
	return st
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

// benchmarkRecompute measures what the exporter does after every sync: load the
// windows' history from SQLite and run the analytics. peak-RSS-MiB is the process's
// peak resident memory during the timed loop (the generator's memory released first).
func benchmarkRecompute(b *testing.B, incidents int) {
	now := time.Date(2026, 11, 22, 12, 0, 0, 0, time.UTC)
	st := fillStore(b, incidents, now)
	e := New(st, quietLogger(), Options{Now: func() time.Time { return now }})
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

func BenchmarkRecompute100k(b *testing.B) { benchmarkRecompute(b, 100_000) }
func BenchmarkRecompute1M(b *testing.B)   { benchmarkRecompute(b, 1_000_000) }

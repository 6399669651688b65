package store

import (
	"context"
	"fmt"
	"os"
	"syscall"
	"testing"
	"time"

	"github.com/hero-exporter/hero_exporter/internal/incident"
	"github.com/hero-exporter/hero_exporter/internal/incident/synth"
	"github.com/hero-exporter/hero_exporter/internal/source"
)

// largeEnv enables the 1M-incident benchmarks, which take minutes to set up.
const largeEnv = "HERO_STORE_BENCH_LARGE"

var benchNow = time.Date(2026, 11, 22, 12, 0, 0, 0, time.UTC)

// benchSince is what the engine asks for with the default settings: the largest
// window (28d) plus the recurrence look-back (7d).
var benchSince = benchNow.Add(-35 * 24 * time.Hour)

// cpuTime is the CPU time the process has used so far (all threads: the benchmark,
// the GC, SQLite). Per operation it is a steadier figure than wall time on a busy
// machine.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// reportCPU reports the CPU milliseconds per operation since start.
func reportCPU(b *testing.B, start time.Duration) {
	b.ReportMetric(float64(cpuTime()-start)/float64(time.Millisecond)/float64(b.N), "cpu-ms/op")
}

// synthBatches generates a history with synth.Generate (3000 people, 90 days) and
// splits it into one batch per source; caps are the sources' capabilities.
func synthBatches(incidents int) (batches map[string]*source.Batch, caps map[string]incident.Capabilities) {
	return synthBatchesOver(incidents, 90)
}

// synthBatchesOver is synthBatches over days of history.
func synthBatchesOver(incidents, days int) (batches map[string]*source.Batch, caps map[string]incident.Capabilities) {
	h := synth.Generate(incidents, 3000, days, 1, benchNow)
	batches = map[string]*source.Batch{}
	get := func(src string) *source.Batch {
		if batches[src] == nil {
			batches[src] = &source.Batch{Cursor: "end"}
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
	for _, sh := range h.Shifts {
		get(sh.Source).Shifts = append(get(sh.Source).Shifts, sh)
	}
	return batches, h.Sources
}

func countRows(batches map[string]*source.Batch) (incidents, rows int) {
	for _, b := range batches {
		incidents += len(b.Incidents)
		rows += len(b.People) + len(b.Incidents) + len(b.Pages) + len(b.Engagements) + len(b.Shifts)
		for _, t := range b.Teams {
			rows += 1 + len(t.Members)
		}
	}
	return incidents, rows
}

// writeChunked writes b in batches of at most chunk incidents with their pages and
// engagements, as a source paging through its history would.
func writeChunked(tb testing.TB, s *Store, src string, b *source.Batch, chunk int) {
	tb.Helper()
	mustWrite(tb, s, src, &source.Batch{People: b.People, Teams: b.Teams, Shifts: b.Shifts})
	part := map[string]int{}
	for i, in := range b.Incidents {
		part[in.ID] = i / chunk
	}
	parts := make([]source.Batch, (len(b.Incidents)+chunk-1)/chunk)
	for i := range parts {
		parts[i].Incidents = b.Incidents[i*chunk : min((i+1)*chunk, len(b.Incidents))]
		parts[i].Cursor = fmt.Sprint(i)
	}
	for _, p := range b.Pages {
		parts[part[p.IncidentID]].Pages = append(parts[part[p.IncidentID]].Pages, p)
	}
	for _, e := range b.Engagements {
		parts[part[e.IncidentID]].Engagements = append(parts[part[e.IncidentID]].Engagements, e)
	}
	for i := range parts {
		mustWrite(tb, s, src, &parts[i])
	}
}

func BenchmarkWrite100k(b *testing.B) {
	batches, _ := synthBatches(100_000)
	incs, rows := countRows(batches)
	b.Logf("%d incidents, %d rows in %d batches", incs, rows, len(batches))
	ctx := context.Background()
	writeAll := func(s *Store) {
		for src, batch := range batches {
			if err := s.Write(ctx, src, batch); err != nil {
				b.Fatal(err)
			}
		}
	}

	b.Run("new", func(b *testing.B) {
		var cpu time.Duration
		for b.Loop() {
			b.StopTimer()
			s, err := Open(ctx, b.TempDir(), nil)
			if err != nil {
				b.Fatal(err)
			}
			b.StartTimer()
			c := cpuTime()
			writeAll(s)
			cpu += cpuTime() - c
			b.StopTimer()
			s.Close()
			b.StartTimer()
		}
		b.ReportMetric(float64(rows)*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
		b.ReportMetric(float64(cpu)/float64(time.Millisecond)/float64(b.N), "cpu-ms/op")
	})
	// A re-sync of the same window: every record already stored and unchanged.
	b.Run("resync", func(b *testing.B) {
		s, err := Open(ctx, b.TempDir(), nil)
		if err != nil {
			b.Fatal(err)
		}
		defer s.Close()
		writeAll(s)
		cpu := cpuTime()
		for b.Loop() {
			writeAll(s)
		}
		b.ReportMetric(float64(rows)*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
		reportCPU(b, cpu)
	})
}

func BenchmarkLoadHistory(b *testing.B) {
	for _, n := range []int{100_000, 1_000_000} {
		b.Run(fmt.Sprintf("incidents=%d", n), func(b *testing.B) {
			if n > 100_000 && os.Getenv(largeEnv) == "" {
				b.Skipf("set %s=1 to run", largeEnv)
			}
			ctx := context.Background()
			s, err := Open(ctx, b.TempDir(), nil)
			if err != nil {
				b.Fatal(err)
			}
			defer s.Close()
			setup := time.Now()
			batches, caps := synthBatches(n)
			for src, batch := range batches {
				writeChunked(b, s, src, batch, 100_000)
				if err := s.RegisterSource(ctx, src, "synth", caps[src]); err != nil {
					b.Fatal(err)
				}
			}
			b.Logf("setup %v", time.Since(setup))
			for _, c := range []struct {
				name  string
				since time.Time
			}{{"since=35d", benchSince}, {"since=all", time.Time{}}} {
				b.Run(c.name, func(b *testing.B) {
					var h = mustLoad(b, s, c.since)
					b.Logf("loaded %d incidents, %d pages, %d engagements, %d shifts, %d people, %d totals",
						len(h.Incidents), len(h.Pages), len(h.Engagements), len(h.Shifts), len(h.People), len(h.CreatedTotals))
					b.ReportAllocs()
					cpu := cpuTime()
					for b.Loop() {
						if _, err := s.LoadHistory(ctx, c.since); err != nil {
							b.Fatal(err)
						}
					}
					reportCPU(b, cpu)
				})
			}
			// The history cache in the steady state: per iteration a batch of 50
			// changed incidents and the window 30s on, then a Load.
			b.Run("since=35d/cache", func(b *testing.B) {
				c := s.NewHistoryCache()
				if _, err := c.Load(ctx, benchSince); err != nil {
					b.Fatal(err)
				}
				var src string
				var incs []incident.Incident
				for name, batch := range batches {
					src, incs = name, batch.Incidents[len(batch.Incidents)-5000:]
					break
				}
				b.ReportAllocs()
				b.ResetTimer()
				for i := range b.N {
					b.StopTimer()
					change := &source.Batch{}
					for k := range 50 {
						in := incs[(i*50+k)%len(incs)]
						in.Title += fmt.Sprintf(" (%d)", i)
						change.Incidents = append(change.Incidents, in)
					}
					mustWrite(b, s, src, change)
					b.StartTimer()
					if _, err := c.Load(ctx, benchSince.Add(time.Duration(i+1)*30*time.Second)); err != nil {
						b.Fatal(err)
					}
				}
			})
		})
	}
}

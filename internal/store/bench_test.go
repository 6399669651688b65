package store

import (
	"context"
	"fmt"
	"os"
	"syscall"
	"testing"
	"time"

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

// writeChunked writes b in batches of at most chunk incidents (with their pages and
// engagements), as a source paging through its history would.
func writeChunked(tb testing.TB, s *Store, src string, b *source.Batch, chunk int) {
	tb.Helper()
	ctx := context.Background()
	mustWrite(tb, s, src, &source.Batch{People: b.People, Teams: b.Teams, Shifts: b.Shifts})
	pi, ei := 0, 0
	for lo := 0; lo < len(b.Incidents); lo += chunk {
		hi := min(lo+chunk, len(b.Incidents))
		part := &source.Batch{Incidents: b.Incidents[lo:hi], Cursor: fmt.Sprint(hi)}
		last := b.Incidents[hi-1].ID
		pj := pi
		for pj < len(b.Pages) && b.Pages[pj].IncidentID <= last {
			pj++
		}
		ej := ei
		for ej < len(b.Engagements) && b.Engagements[ej].IncidentID <= last {
			ej++
		}
		part.Pages, part.Engagements = b.Pages[pi:pj], b.Engagements[ei:ej]
		pi, ei = pj, ej
		if err := s.Write(ctx, src, part); err != nil {
			tb.Fatal(err)
		}
	}
}

func BenchmarkWrite100k(b *testing.B) {
	batch := genHistory(100_000, 3000, 90, benchNow)
	rows := len(batch.People) + len(batch.Incidents) + len(batch.Pages) + len(batch.Engagements) + len(batch.Shifts)
	b.Logf("batch: %d people, %d teams, %d incidents, %d pages, %d engagements, %d shifts",
		len(batch.People), len(batch.Teams), len(batch.Incidents), len(batch.Pages), len(batch.Engagements), len(batch.Shifts))
	ctx := context.Background()

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
			if err := s.Write(ctx, "pd", batch); err != nil {
				b.Fatal(err)
			}
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
		mustWrite(b, s, "pd", batch)
		cpu := cpuTime()
		for b.Loop() {
			if err := s.Write(ctx, "pd", batch); err != nil {
				b.Fatal(err)
			}
		}
		reportCPU(b, cpu)
		b.ReportMetric(float64(rows)*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
	})
}

func BenchmarkLoadHistory(b *testing.B) {
	for _, n := range []int{100_000, 1_000_000} {
		b.Run(fmt.Sprintf("incidents=%d", n), func(b *testing.B) {
			if n > 100_000 && os.Getenv(largeEnv) == "" {
				b.Skipf("set %s=1 to run", largeEnv)
			}
			s, err := Open(context.Background(), b.TempDir(), nil)
			if err != nil {
				b.Fatal(err)
			}
			defer s.Close()
			setup := time.Now()
			writeChunked(b, s, "pd", genHistory(n, 3000, 90, benchNow), 100_000)
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
						if _, err := s.LoadHistory(context.Background(), c.since); err != nil {
							b.Fatal(err)
						}
					}
					reportCPU(b, cpu)
				})
			}
		})
	}
}

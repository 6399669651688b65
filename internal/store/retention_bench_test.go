package store

import (
	"context"
	"fmt"
	"os"
	"testing"
	"time"

	"github.com/hero-exporter/hero_exporter/internal/incident/synth"
	"github.com/hero-exporter/hero_exporter/internal/source"
)

// BenchmarkPruneYear: a store holding a year of synthetic history is pruned to the
// default retention (63d: 2 × 28d + 7d). It reports the file size before and after
// (with the incremental vacuum) and the time of the prune itself; the baseline is the
// same store before the prune, in the same run. 1M incidents with HERO_STORE_BENCH_LARGE.
//
//	go test -run '^$' -bench PruneYear -benchtime 1x ./internal/store/
func BenchmarkPruneYear(b *testing.B) {
	sizes := []int{100_000}
	if os.Getenv(largeEnv) != "" {
		sizes = append(sizes, 1_000_000)
	}
	ctx := context.Background()
	for _, n := range sizes {
		b.Run(fmt.Sprintf("incidents=%d", n), func(b *testing.B) {
			h := synth.Generate(n, 3000, 365, 1, benchNow)
			byName := map[string]*source.Batch{}
			get := func(src string) *source.Batch {
				if byName[src] == nil {
					byName[src] = &source.Batch{}
				}
				return byName[src]
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
			var before, after int64
			var pruned PruneStats
			var took time.Duration
			for b.Loop() {
				b.StopTimer()
				s, err := Open(ctx, b.TempDir(), nil)
				if err != nil {
					b.Fatal(err)
				}
				for src, batch := range byName {
					writeChunked(b, s, src, batch, 5000)
				}
				if _, err := s.db.ExecContext(ctx, `PRAGMA wal_checkpoint(TRUNCATE)`); err != nil {
					b.Fatal(err)
				}
				before = s.SizeBytes()
				b.StartTimer()
				start := time.Now()
				if pruned, err = s.Prune(ctx, benchNow.Add(-63*24*time.Hour)); err != nil {
					b.Fatal(err)
				}
				took = time.Since(start)
				b.StopTimer()
				after = s.SizeBytes()
				s.Close()
				b.StartTimer()
			}
			b.ReportMetric(float64(before)/(1<<20), "MiB-before")
			b.ReportMetric(float64(after)/(1<<20), "MiB-after")
			b.ReportMetric(float64(after)/float64(before), "size-ratio")
			b.ReportMetric(took.Seconds(), "prune-s")
			b.Logf("%d incidents over a year: pruned %+v; file %d → %d bytes in %s", len(h.Incidents), pruned, before, after, took)
		})
	}
}

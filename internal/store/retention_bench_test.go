package store

import (
	"context"
	"fmt"
	"os"
	"testing"
	"time"
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
			byName, _ := synthBatchesOver(n, 365)
			incidents, _ := countRows(byName)
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
			b.Logf("%d incidents over a year: pruned %+v; file %d → %d bytes in %s", incidents, pruned, before, after, took)
		})
	}
}

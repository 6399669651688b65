package main

import (
	"context"
	"time"

	"github.com/hero-exporter/hero_exporter/collector"
)

// pruneEvery is how often the store is pruned (and once at start).
const pruneEvery = time.Hour

// startPruning prunes the store in the background, at start and every pruneEvery, to
// the retention of the configuration in force (config.Retention: storage.retention, or
// what the analytics need), measured on the analytics clock.
func (rt *runtime) startPruning(now func() time.Time) {
	rt.wg.Add(1)
	go func() {
		defer rt.wg.Done()
		t := time.NewTicker(pruneEvery)
		defer t.Stop()
		for {
			rt.pruneOnce(rt.bgCtx, now())
			select {
			case <-rt.bgCtx.Done():
				return
			case <-t.C:
			}
		}
	}()
}

func (rt *runtime) pruneOnce(ctx context.Context, now time.Time) {
	rt.mu.Lock()
	cfg := rt.cfg
	rt.mu.Unlock()
	if cfg == nil {
		return
	}
	retention := cfg.Retention()
	start := time.Now()
	got, err := rt.store.Prune(ctx, now.Add(-retention))
	if err != nil {
		if ctx.Err() == nil {
			rt.logger.Error("pruning the store failed; it is tried again within the hour", "err", err)
		}
		return
	}
	rt.logger.Info("store pruned", "retention", retention, "incidents", got.Incidents, "pages", got.Pages,
		"engagements", got.Engagements, "shifts", got.Shifts, "changes", got.Changes,
		"size_bytes", rt.store.SizeBytes(), "duration", time.Since(start))
}

// StoreStats implements collector.StoreProvider.
func (rt *runtime) StoreStats() collector.StoreStats {
	p := rt.store.Pruned()
	return collector.StoreStats{
		SizeBytes: rt.store.SizeBytes(),
		Pruned: map[string]float64{"incidents": float64(p.Incidents), "pages": float64(p.Pages),
			"engagements": float64(p.Engagements), "shifts": float64(p.Shifts), "changes": float64(p.Changes)},
	}
}

// Package demolog writes the demo's application log with logscan's generator: ordinary
// records with a few recurring exceptions in several languages, so `hero_exporter
// --demo` shows exception metrics from a real file that the log follower tails,
// rotation included.
package demolog

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/hero-exporter/hero_exporter/internal/logscan"
)

// Options of the writer; zero values take the defaults.
type Options struct {
	Seed           uint64
	Interval       time.Duration // between bursts; default 1s
	Records        int           // per burst; default 8
	ExceptionEvery int           // one record in this many is an exception; default 25
	MaxBytes       int64         // rotate (rename to .1) beyond this size; default 4 MiB
	Now            func() time.Time
}

// Run appends to path until ctx is done. A rotated file is renamed to path+".1",
// replacing an older one, as logrotate's rename mode does.
func Run(ctx context.Context, path string, opts Options) error {
	if opts.Interval <= 0 {
		opts.Interval = time.Second
	}
	if opts.Records <= 0 {
		opts.Records = 8
	}
	if opts.ExceptionEvery <= 0 {
		opts.ExceptionEvery = 25
	}
	if opts.MaxBytes <= 0 {
		opts.MaxBytes = 4 << 20
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return fmt.Errorf("demolog: %w", err)
	}
	gen := logscan.NewLogGenerator(opts.Seed)
	gen.ExceptionEvery = opts.ExceptionEvery
	t := time.NewTicker(opts.Interval)
	defer t.Stop()
	for {
		if err := burst(path, gen, opts); err != nil {
			return err
		}
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		}
	}
}

func burst(path string, gen *logscan.LogGenerator, opts Options) error {
	if fi, err := os.Stat(path); err == nil && fi.Size() > opts.MaxBytes {
		if err := os.Rename(path, path+".1"); err != nil {
			return fmt.Errorf("demolog: rotate %s: %w", path, err)
		}
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o644)
	if err != nil {
		return fmt.Errorf("demolog: %w", err)
	}
	if _, _, err := gen.Write(f, opts.Records, 0, opts.Now()); err != nil {
		f.Close()
		return fmt.Errorf("demolog: write %s: %w", path, err)
	}
	return f.Close()
}

// RetiredTrace is an exception the demo application no longer raises: its fix shipped
// 30 days before the demo first started.
const RetiredTrace = `Traceback (most recent call last):
  File "/srv/shop/legacy/cache.py", line 88, in warm
    entry = cache[key]
KeyError: 'legacy-price-cache'
`

// SeedHistory gives a new demo store the hourly counts of RetiredTrace's fingerprint: 3
// events every 6 hours from 50 to 30 days before now. In the 28d window the fingerprint is
// then retired (events in the previous 28 days, none since). Nothing is written when the
// log already has hourly counts.
func SeedHistory(ctx context.Context, store logscan.StateStore, log string, now time.Time) error {
	rep, err := logscan.Scan([]io.Reader{strings.NewReader(RetiredTrace)}, logscan.ScanOptions{Format: "text"})
	if err != nil {
		return fmt.Errorf("demolog: %w", err)
	}
	if len(rep.Fingerprints) != 1 {
		return fmt.Errorf("demolog: the retired trace makes %d fingerprints, want 1", len(rep.Fingerprints))
	}
	fp := rep.Fingerprints[0].Fingerprint
	counts := map[time.Time]map[string]uint64{}
	for t := now.Add(-50 * 24 * time.Hour); t.Before(now.Add(-30 * 24 * time.Hour)); t = t.Add(6 * time.Hour) {
		counts[t] = map[string]uint64{fp: 3}
	}
	return logscan.SeedHourlyCounts(ctx, store, log, counts)
}

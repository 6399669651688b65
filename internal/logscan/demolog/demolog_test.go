package demolog

import (
	"context"
	"io"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/hero-exporter/hero_exporter/internal/logscan"
	"github.com/hero-exporter/hero_exporter/internal/store"
)

// The file the demo writes must yield exactly the exceptions written into it, across a
// rotation, when followed as the exporter follows it.
func TestRunWritesFollowableLogAndRotates(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "app.log")
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		done <- Run(ctx, path, Options{Seed: 1, Interval: time.Millisecond, MaxBytes: 64 << 10, ExceptionEvery: 5})
	}()
	deadline := time.Now().Add(10 * time.Second)
	for {
		if _, err := os.Stat(path + ".1"); err == nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("no rotation")
		}
		time.Sleep(5 * time.Millisecond)
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	rep, err := scanFiles([]string{path + ".1", path})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Exceptions == 0 || len(rep.Fingerprints) < 3 {
		t.Fatalf("demo log has %d exceptions in %d fingerprints; want recurring exceptions of several kinds", rep.Exceptions, len(rep.Fingerprints))
	}
}

func scanFiles(paths []string) (logscan.Report, error) {
	var rs []*os.File
	defer func() {
		for _, f := range rs {
			f.Close()
		}
	}()
	readers := make([]io.Reader, 0, len(paths))
	for _, p := range paths {
		f, err := os.Open(p)
		if err != nil {
			return logscan.Report{}, err
		}
		rs = append(rs, f)
		readers = append(readers, f)
	}
	return logscan.Scan(readers, logscan.ScanOptions{})
}

// TestSeedHistoryRetiresAFingerprint: on a new store the demo log starts with one
// fingerprint retired in the 28d window (events 50 to 30 days ago: 80 six-hourly hours
// of 3 = 240 events before, none since) and none in 7d; seeding twice writes nothing more.
func TestSeedHistoryRetiresAFingerprint(t *testing.T) {
	ctx := context.Background()
	st, err := store.Open(ctx, t.TempDir(), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	now := time.Date(2026, 11, 18, 12, 0, 0, 0, time.UTC)
	for range 2 {
		if err := SeedHistory(ctx, st, "demo-app", now); err != nil {
			t.Fatal(err)
		}
	}
	dir := t.TempDir()
	path := filepath.Join(dir, "app.log")
	os.WriteFile(path, nil, 0o644)
	fl, err := logscan.NewFollower(logscan.FollowOptions{Name: "demo-app", Paths: []string{path}, Now: func() time.Time { return now },
		Windows: []logscan.Window{{Name: "7d", D: 7 * 24 * time.Hour}, {Name: "28d", D: 28 * 24 * time.Hour}}}, st)
	if err != nil {
		t.Fatal(err)
	}
	if err := fl.Poll(ctx); err != nil {
		t.Fatal(err)
	}
	w := fl.Counter().Stats().Windows
	if len(w) != 2 || w[1].Window != "28d" || w[1].Retired != 1 || w[1].EventsPrevious != 240 || w[1].Top10Previous != 240 ||
		w[0].Retired != 0 || w[0].EventsPrevious != 0 {
		t.Fatalf("windows %+v", w)
	}
}

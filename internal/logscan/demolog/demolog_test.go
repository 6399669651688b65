package demolog

import (
	"context"
	"io"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/hero-exporter/hero_exporter/internal/logscan"
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

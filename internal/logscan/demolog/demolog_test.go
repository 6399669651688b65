package demolog

import (
	"bytes"
	"context"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/hero-exporter/hero_exporter/internal/logscan"
)

// The demo log must yield exactly the exceptions it writes, grouped into one fingerprint
// per kind however the ids vary.
func TestDemoLogExceptionsGroupByKind(t *testing.T) {
	var buf bytes.Buffer
	rng := rand.New(rand.NewPCG(7, 0x5eed))
	now := time.Date(2026, 11, 22, 12, 0, 0, 0, time.UTC)
	written := map[string]int{}
	for range 2000 {
		before := buf.Len()
		if err := Write(&buf, rng, now); err != nil {
			t.Fatal(err)
		}
		chunk := buf.String()[before:]
		switch {
		case strings.Contains(chunk, "NullPointerException"):
			written["npe"]++
		case strings.Contains(chunk, "PaymentException"):
			written["timeout"]++
		case strings.Contains(chunk, "KeyError"):
			written["keyerror"]++
		case strings.Contains(chunk, "panic:"):
			written["panic"]++
		case strings.Contains(chunk, "RefundLimitExceeded"):
			written["json"]++
		}
	}
	total := 0
	for _, n := range written {
		total += n
	}
	if len(written) != 5 || total < 300 {
		t.Fatalf("the writer should produce all five kinds, often: %v", written)
	}
	rep, err := logscan.Scan([]io.Reader{&buf}, logscan.ScanOptions{Top: 10, InApp: []string{"com.example.", "/srv/app/", "example.com/shop"}})
	if err != nil {
		t.Fatal(err)
	}
	if int(rep.Exceptions) != total {
		t.Fatalf("scan found %d exceptions, the writer wrote %d (%v)", rep.Exceptions, total, written)
	}
	if len(rep.Fingerprints) != len(written) {
		t.Fatalf("fingerprints = %d, want %d kinds: %+v", len(rep.Fingerprints), len(written), rep.Fingerprints)
	}
	for _, fp := range rep.Fingerprints {
		found := false
		for _, n := range written {
			if int(fp.Count) == n {
				found = true
			}
		}
		if !found {
			t.Errorf("fingerprint %+v has a count no kind was written", fp)
		}
	}
}

func TestRunRotatesByRename(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "app.log")
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- Run(ctx, path, Options{Seed: 1, Interval: time.Millisecond, MaxBytes: 4096}) }()
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
}

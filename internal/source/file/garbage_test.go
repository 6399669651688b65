package file

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/hero-exporter/hero_exporter/internal/regularfile"
)

// A file that is mostly garbage fails the sync (the cursor stays, hero_source_up goes to
// 0) and logs a bounded sample of its errors plus a count; a file with a few bad lines
// among many good ones still syncs.
func TestSyncMostlyGarbageFails(t *testing.T) {
	dir := t.TempDir()
	var garbage strings.Builder
	garbage.WriteString(good)
	for range 5000 {
		garbage.WriteString("this is not json at all\n")
	}
	path := filepath.Join(dir, "h.ndjson")
	os.WriteFile(path, []byte(garbage.String()), 0o644)
	var logs bytes.Buffer
	sink := &memSink{}
	err := New("f", path, slog.New(slog.NewTextHandler(&logs, nil))).Sync(context.Background(), "", sink)
	if err == nil || !strings.Contains(err.Error(), "5000 of 5006 records malformed") || !strings.Contains(err.Error(), path) {
		t.Fatalf("mostly garbage: err %v, want 5000 of 5006 records malformed", err)
	}
	if c := sink.all().Cursor; c != "" {
		t.Fatalf("a failed sync advanced the cursor to %q", c)
	}
	if n := strings.Count(logs.String(), "malformed line skipped"); n != maxLoggedLineErrors {
		t.Fatalf("%d malformed lines logged one by one, want %d", n, maxLoggedLineErrors)
	}
	if !strings.Contains(logs.String(), "count=4990") {
		t.Fatalf("the rest is not counted in the log:\n%s", logs.String())
	}

	// A few bad lines among good ones: synced, cursor set.
	os.WriteFile(path, []byte(good+"garbage\n"), 0o644)
	sink = &memSink{}
	if err := New("f", path, slog.New(slog.DiscardHandler)).Sync(context.Background(), "", sink); err != nil {
		t.Fatalf("one bad line among six records: %v", err)
	}
	if sink.all().Cursor == "" {
		t.Fatal("no cursor after a good sync")
	}
}

// A file source pointed at a device or a FIFO fails at once instead of reading forever
// or blocking (which also blocked SIGTERM).
func TestSyncRefusesSpecialFiles(t *testing.T) {
	fifo := filepath.Join(t.TempDir(), "fifo")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{"/dev/zero", fifo} {
		done := make(chan error, 1)
		go func() { done <- New("f", p, slog.New(slog.DiscardHandler)).Sync(context.Background(), "", &memSink{}) }()
		select {
		case err := <-done:
			if !errors.Is(err, regularfile.ErrNotRegular) {
				t.Errorf("%s: %v, want ErrNotRegular", p, err)
			}
		case <-time.After(5 * time.Second):
			t.Fatalf("sync of %s does not return", p)
		}
	}
}

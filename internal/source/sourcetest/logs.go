package sourcetest

import (
	"bytes"
	"context"
	"log/slog"
	"strings"
	"sync"
	"testing"

	"github.com/hero-exporter/hero_exporter/internal/source"
)

// Logs captures log output; it is safe for concurrent use.
type Logs struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *Logs) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

// String is everything logged so far.
func (s *Logs) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// Logger is a JSON logger at debug level that writes to s.
func (s *Logs) Logger() *slog.Logger {
	return slog.New(slog.NewJSONHandler(s, &slog.HandlerOptions{Level: slog.LevelDebug}))
}

// NoLeak fails t at once when token appears in err or in the logs.
func NoLeak(t testing.TB, err error, logs *Logs, token string) {
	t.Helper()
	if err != nil && strings.Contains(err.Error(), token) {
		t.Fatalf("token in error: %v", err)
	}
	if strings.Contains(logs.String(), token) {
		t.Fatal("token in log output")
	}
}

// Sync runs one sync of src from the cursor sink stored last, checks with NoLeak that
// token did not leak, and returns the sync's error.
func Sync(t testing.TB, src source.Source, sink *Sink, logs *Logs, token string) error {
	t.Helper()
	err := src.Sync(context.Background(), sink.StoredCursor(), sink)
	NoLeak(t, err, logs, token)
	return err
}

// RejectedToken checks the error of a sync with a wrong token: it contains each of
// want; neither it nor the logs hold token; and the debug log names logged (a path the
// sync requested), or the leak check would prove nothing.
func RejectedToken(t testing.TB, err error, logs *Logs, token, logged string, want ...string) {
	t.Helper()
	if err == nil {
		t.Fatalf("err = %v", err)
	}
	for _, w := range want {
		if !strings.Contains(err.Error(), w) {
			t.Fatalf("err = %v", err)
		}
	}
	if strings.Contains(err.Error(), token) || strings.Contains(logs.String(), token) {
		t.Fatal("token leaked")
	}
	if !strings.Contains(logs.String(), logged) {
		t.Error("debug log is empty; the leak check would prove nothing")
	}
}

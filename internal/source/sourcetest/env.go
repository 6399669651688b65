package sourcetest

import (
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/hero-exporter/hero_exporter/internal/source/httpapi"
)

// Base is "now" of every scenario: Friday 2026-11-20 12:00 UTC.
var Base = time.Date(2026, 11, 20, 12, 0, 0, 0, time.UTC)

// Env is what a source test sets up around a fake API: the fake served by an httptest
// server (closed when the test ends), a fake clock, captured logs and a memory sink.
type Env struct {
	URL   string
	Clock *Clock
	Logs  *Logs
	Sink  *Sink
}

// Serve serves fake for the test, with the clock standing at now.
func Serve(t testing.TB, fake http.Handler, now time.Time) *Env {
	t.Helper()
	srv := httptest.NewServer(fake)
	t.Cleanup(srv.Close)
	return &Env{URL: srv.URL, Clock: NewClock(now), Logs: &Logs{}, Sink: NewSink()}
}

// SourceConfig is the shared part of a source's Config in tests: name, the fake's URL
// plus path, token, the default time zone Europe/London, the fake clock, a fixed
// jitter and a 2s timeout.
func (e *Env) SourceConfig(name, path, token string) httpapi.SourceConfig {
	return httpapi.SourceConfig{
		Name: name, BaseURL: e.URL + path, Token: token, DefaultTimezone: "Europe/London",
		Clock: e.Clock, Jitter: func() float64 { return 0.5 }, Timeout: 2 * time.Second,
	}
}

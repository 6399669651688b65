package sourcetest

import (
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/hero-exporter/hero_exporter/internal/source"
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

// Fake is what a harness needs of a fake API; embedding Recorder provides all but
// ServeHTTP.
type Fake interface {
	http.Handler
	ResetRequests()
}

// Harness is a source under test against its fake API.
type Harness[F Fake, S source.Source] struct {
	Fake  F
	Src   S
	Sink  *Sink
	Clock *Clock
	Logs  *Logs
	Token string
}

// NewHarness serves fake and builds its source with build from the test config of
// Env.SourceConfig(name, path, token), turned into the vendor's Config by config and
// then adjusted by mod (when not nil). The clock stands at Base.
func NewHarness[F Fake, C any, S source.Source](t testing.TB, fake F, name, path, token string,
	config func(httpapi.SourceConfig) C, mod func(*C), build func(C, *slog.Logger) (S, error)) *Harness[F, S] {
	t.Helper()
	e := Serve(t, fake, Base)
	cfg := config(e.SourceConfig(name, path, token))
	if mod != nil {
		mod(&cfg)
	}
	src, err := build(cfg, e.Logs.Logger())
	if err != nil {
		t.Fatal(err)
	}
	return &Harness[F, S]{Fake: fake, Src: src, Sink: e.Sink, Clock: e.Clock, Logs: e.Logs, Token: token}
}

// Sync runs one sync from the stored cursor and checks that the token did not leak (see
// the package function Sync).
func (h *Harness[F, S]) Sync(t testing.TB) error {
	t.Helper()
	return Sync(t, h.Src, h.Sink, h.Logs, h.Token)
}

// SyncAfter lets d pass, forgets the requests made so far and syncs; an error fails t.
func (h *Harness[F, S]) SyncAfter(t testing.TB, d time.Duration) {
	t.Helper()
	h.Clock.Advance(d)
	h.Fake.ResetRequests()
	if err := h.Sync(t); err != nil {
		t.Fatal(err)
	}
}

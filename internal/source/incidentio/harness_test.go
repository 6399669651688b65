package incidentio

import (
	"testing"
	"time"

	"github.com/hero-exporter/hero_exporter/internal/source/incidentio/iofake"
	"github.com/hero-exporter/hero_exporter/internal/source/sourcetest"
)

const testToken = "inc_live_TESTkeyNeverLog_5678"

type harness struct {
	fake  *iofake.Server
	src   *Source
	sink  *sourcetest.Sink
	clock *sourcetest.Clock
	logs  *sourcetest.Logs
}

// base is "now" of every scenario: Friday 2026-11-20 12:00 UTC.
var base = sourcetest.Base

func at(d time.Duration) time.Time { return base.Add(d) }

func scenario(f *iofake.Server) { iofake.Scenario(f, base) }

func bulk(n int, span time.Duration) func(*iofake.Server) {
	return func(f *iofake.Server) { iofake.Bulk(f, base, n, span) }
}

func newHarness(t *testing.T, fill func(*iofake.Server), mod func(*Config)) *harness {
	t.Helper()
	f := iofake.New(testToken)
	if fill != nil {
		fill(f)
	}
	e := sourcetest.Serve(t, f, base)
	cfg := Config{SourceConfig: e.SourceConfig("io", "", testToken)}
	if mod != nil {
		mod(&cfg)
	}
	src, err := New(cfg, e.Logs.Logger())
	if err != nil {
		t.Fatal(err)
	}
	return &harness{fake: f, src: src, sink: e.Sink, clock: e.Clock, logs: e.Logs}
}

func (h *harness) sync(t *testing.T) error {
	t.Helper()
	return sourcetest.Sync(t, h.src, h.sink, h.logs, testToken)
}

package opsgenie

import (
	"testing"
	"time"

	"github.com/hero-exporter/hero_exporter/internal/source/opsgenie/ogfake"
	"github.com/hero-exporter/hero_exporter/internal/source/sourcetest"
)

const testToken = "0b1c2d3e-TEST-genie-key-never-log"

type harness struct {
	fake  *ogfake.Server
	src   *Source
	sink  *sourcetest.Sink
	clock *sourcetest.Clock
	logs  *sourcetest.Logs
}

// base is "now" of every scenario: Friday 2026-11-20 12:00 UTC.
var base = sourcetest.Base

func at(d time.Duration) time.Time { return base.Add(d) }

func scenario(f *ogfake.Server) { ogfake.Scenario(f, base) }

func bulk(n int, span time.Duration) func(*ogfake.Server) {
	return func(f *ogfake.Server) { ogfake.Bulk(f, base, n, span) }
}

func newHarness(t *testing.T, fill func(*ogfake.Server), mod func(*Config)) *harness {
	t.Helper()
	f := ogfake.New(testToken)
	if fill != nil {
		fill(f)
	}
	e := sourcetest.Serve(t, f, base)
	cfg := Config{SourceConfig: e.SourceConfig("og", "", testToken)}
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

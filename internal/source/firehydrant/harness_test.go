package firehydrant

import (
	"testing"
	"time"

	"github.com/hero-exporter/hero_exporter/internal/source/firehydrant/fhfake"
	"github.com/hero-exporter/hero_exporter/internal/source/sourcetest"
)

const testToken = "u+TESTtokenNeverLog-1234"

type obj = fhfake.Obj

type harness struct {
	fake  *fhfake.Server
	src   *Source
	sink  *sourcetest.Sink
	clock *sourcetest.Clock
	logs  *sourcetest.Logs
}

// base is "now" of every scenario: Friday 2026-11-20 12:00 UTC.
var base = sourcetest.Base

func at(d time.Duration) time.Time { return base.Add(d) }

func scenario(f *fhfake.Server) { fhfake.Scenario(f, base) }

func bulk(n int, span time.Duration) func(*fhfake.Server) {
	return func(f *fhfake.Server) { fhfake.Bulk(f, base, n, span) }
}

func newHarness(t *testing.T, fill func(*fhfake.Server), mod func(*Config)) *harness {
	t.Helper()
	f := fhfake.New(testToken)
	if fill != nil {
		fill(f)
	}
	e := sourcetest.Serve(t, f, base)
	cfg := Config{SourceConfig: e.SourceConfig("fh", "", testToken)}
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

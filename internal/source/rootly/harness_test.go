package rootly

import (
	"testing"
	"time"

	"github.com/hero-exporter/hero_exporter/internal/source/rootly/rootlyfake"
	"github.com/hero-exporter/hero_exporter/internal/source/sourcetest"
)

const testToken = "u+TESTtokenNeverLog-1234"

type obj = rootlyfake.Obj

type harness struct {
	fake  *rootlyfake.Server
	src   *Source
	sink  *sourcetest.Sink
	clock *sourcetest.Clock
	logs  *sourcetest.Logs
}

// base is "now" of every scenario: Friday 2026-11-20 12:00 UTC.
var base = sourcetest.Base

func at(d time.Duration) time.Time { return base.Add(d) }

func scenario(f *rootlyfake.Server) { rootlyfake.Scenario(f, base) }

func bulk(n, perInc int, span time.Duration) func(f *rootlyfake.Server) {
	return func(f *rootlyfake.Server) { rootlyfake.Bulk(f, base, n, perInc, span) }
}

func newHarness(t *testing.T, fill func(*rootlyfake.Server), mod func(*Config)) *harness {
	t.Helper()
	f := rootlyfake.New(testToken)
	if fill != nil {
		fill(f)
	}
	e := sourcetest.Serve(t, f, base)
	cfg := Config{SourceConfig: e.SourceConfig("rt", "", testToken)}
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

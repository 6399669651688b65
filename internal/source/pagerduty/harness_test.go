package pagerduty

import (
	"testing"
	"time"

	"github.com/hero-exporter/hero_exporter/internal/source/pagerduty/pdfake"
	"github.com/hero-exporter/hero_exporter/internal/source/sourcetest"
)

const testToken = "u+TESTtokenNeverLog-1234"

type obj = pdfake.Obj

type harness struct {
	fake  *pdfake.Server
	src   *Source
	sink  *sourcetest.Sink
	clock *sourcetest.Clock
	logs  *sourcetest.Logs
}

// base is "now" of every scenario: a Friday.
var base = sourcetest.Base

// at is a time relative to the scenarios' "now".
func at(d time.Duration) time.Time { return base.Add(d) }

func scenario(f *pdfake.Server) { pdfake.Scenario(f, base) }

func bulk(n, perInc int, span time.Duration) func(f *pdfake.Server) {
	return func(f *pdfake.Server) { pdfake.Bulk(f, base, n, perInc, span) }
}

func newHarness(t *testing.T, fill func(f *pdfake.Server), mod func(*Config)) *harness {
	t.Helper()
	f := pdfake.New(testToken)
	if fill != nil {
		fill(f)
	}
	e := sourcetest.Serve(t, f, base)
	cfg := Config{SourceConfig: e.SourceConfig("pd", "", testToken)}
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

package rootly

import (
	"testing"
	"time"

	"github.com/hero-exporter/hero_exporter/internal/source/httpapi"
	"github.com/hero-exporter/hero_exporter/internal/source/rootly/rootlyfake"
	"github.com/hero-exporter/hero_exporter/internal/source/sourcetest"
)

const testToken = "u+TESTtokenNeverLog-1234"

// harness is the source against its fake, with a memory sink, a fake clock and captured logs.
type harness = sourcetest.Harness[*rootlyfake.Server, *Source]

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
	return sourcetest.NewHarness(t, f, "rt", "", testToken, func(c httpapi.SourceConfig) Config { return Config{SourceConfig: c} }, mod, New)
}

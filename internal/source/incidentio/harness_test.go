package incidentio

import (
	"testing"
	"time"

	"github.com/hero-exporter/hero_exporter/internal/source/httpapi"
	"github.com/hero-exporter/hero_exporter/internal/source/incidentio/iofake"
	"github.com/hero-exporter/hero_exporter/internal/source/sourcetest"
)

const testToken = "inc_live_TESTkeyNeverLog_5678"

// harness is the source against its fake, with a memory sink, a fake clock and captured logs.
type harness = sourcetest.Harness[*iofake.Server, *Source]

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
	return sourcetest.NewHarness(t, f, "io", "", testToken, func(c httpapi.SourceConfig) Config { return Config{SourceConfig: c} }, mod, New)
}

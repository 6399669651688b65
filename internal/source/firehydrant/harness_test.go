package firehydrant

import (
	"testing"
	"time"

	"github.com/hero-exporter/hero_exporter/internal/source/firehydrant/fhfake"
	"github.com/hero-exporter/hero_exporter/internal/source/httpapi"
	"github.com/hero-exporter/hero_exporter/internal/source/sourcetest"
)

const testToken = "u+TESTtokenNeverLog-1234"

// harness is the source against its fake, with a memory sink, a fake clock and captured logs.
type harness = sourcetest.Harness[*fhfake.Server, *Source]

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
	return sourcetest.NewHarness(t, f, "fh", "", testToken, func(c httpapi.SourceConfig) Config { return Config{SourceConfig: c} }, mod, New)
}

package opsgenie

import (
	"testing"
	"time"

	"github.com/hero-exporter/hero_exporter/internal/source/httpapi"
	"github.com/hero-exporter/hero_exporter/internal/source/opsgenie/ogfake"
	"github.com/hero-exporter/hero_exporter/internal/source/sourcetest"
)

const testToken = "0b1c2d3e-TEST-genie-key-never-log"

// harness is the source against its fake, with a memory sink, a fake clock and captured logs.
type harness = sourcetest.Harness[*ogfake.Server, *Source]

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
	return sourcetest.NewHarness(t, f, "og", "", testToken, func(c httpapi.SourceConfig) Config { return Config{SourceConfig: c} }, mod, New)
}

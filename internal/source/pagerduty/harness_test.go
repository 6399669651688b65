package pagerduty

import (
	"testing"
	"time"

	"github.com/hero-exporter/hero_exporter/internal/source/httpapi"
	"github.com/hero-exporter/hero_exporter/internal/source/pagerduty/pdfake"
	"github.com/hero-exporter/hero_exporter/internal/source/sourcetest"
)

const testToken = "u+TESTtokenNeverLog-1234"

type obj = pdfake.Obj

// harness is the source against its fake, with a memory sink, a fake clock and captured logs.
type harness = sourcetest.Harness[*pdfake.Server, *Source]

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
	return sourcetest.NewHarness(t, f, "pd", "", testToken, func(c httpapi.SourceConfig) Config { return Config{SourceConfig: c} }, mod, New)
}

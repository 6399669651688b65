package grafanaoncall

import (
	"fmt"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/hero-exporter/hero_exporter/internal/source/grafanaoncall/ocfake"
	"github.com/hero-exporter/hero_exporter/internal/source/httpapi"
	"github.com/hero-exporter/hero_exporter/internal/source/sourcetest"
)

const testToken = "oc-TESTtokenNeverLog-4321"

// base is "now" of every scenario: a Friday.
var base = sourcetest.Base

func at(d time.Duration) time.Time { return base.Add(d) }

// prefix is the path of the OnCall API URL, as on Grafana Cloud
// (https://oncall-prod-….grafana.net/oncall).
const prefix = "/oncall"

// harness is the source against its fake, with a memory sink, a fake clock and captured logs.
type harness = sourcetest.Harness[*ocfake.Server, *Source]

func scenario(f *ocfake.Server) { ocfake.Scenario(f, base) }

func newHarness(t *testing.T, fill func(f *ocfake.Server), mod func(*Config)) *harness {
	t.Helper()
	f := ocfake.New(testToken, prefix)
	if fill != nil {
		fill(f)
	}
	return sourcetest.NewHarness(t, f, "oc", prefix, testToken, func(c httpapi.SourceConfig) Config { return Config{SourceConfig: c} }, mod, New)
}

// byPath counts the requests by endpoint (and alert_groups by filter).
func byPath(h *harness) map[string]int {
	out := map[string]int{}
	for _, r := range h.Fake.Requests() {
		p, q, _ := strings.Cut(r, "?")
		p = strings.TrimPrefix(p, "GET "+prefix)
		if strings.Contains(p, "/final_shifts") {
			p = "/api/v1/schedules/{id}/final_shifts"
		}
		if p == "/api/v1/alert_groups/" {
			switch {
			case strings.Contains(q, "state="):
				p += "?state"
			case strings.Contains(q, "id="):
				p += "?id"
			}
		}
		out[p]++
	}
	return out
}

func fmtCounts(m map[string]int) string {
	var ks []string
	for k := range m {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	var b strings.Builder
	for _, k := range ks {
		fmt.Fprintf(&b, "%s=%d ", k, m[k])
	}
	return b.String()
}

package source

import (
	"testing"

	"github.com/hero-exporter/hero_exporter/internal/incident"
)

func TestSeverityLevel(t *testing.T) {
	for name, want := range map[string]incident.Severity{
		"SEV0": incident.SeverityCritical, "P1": incident.SeverityCritical, " sev-1 major": incident.SeverityCritical,
		"p2": incident.SeverityHigh, "S 2": incident.SeverityHigh, "SEV3": incident.SeverityLow, "P5": incident.SeverityLow,
	} {
		if got, ok := SeverityLevel(name); !ok || got != want {
			t.Errorf("%q → %v, %v; want %v", name, got, ok, want)
		}
	}
	for _, name := range []string{"", "critical", "sev", "P12", "x1"} {
		if got, ok := SeverityLevel(name); ok || got != incident.SeverityUnknown {
			t.Errorf("%q → %v, %v; want unknown", name, got, ok)
		}
	}
}

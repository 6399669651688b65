package source

import (
	"regexp"
	"strconv"

	"github.com/hero-exporter/hero_exporter/internal/incident"
)

var severityLevel = regexp.MustCompile(`(?i)^\s*(?:p|sev|s)[\s-]*([0-9])\b`)

// SeverityLevel maps a numbered severity or priority name (SEV1, P2, S3 - 4, "sev-1
// major", …): 0 and 1 → critical, 2 → high, 3 and lower → low. ok is false when name
// has no such number; the tool's own names then decide.
func SeverityLevel(name string) (sev incident.Severity, ok bool) {
	m := severityLevel.FindStringSubmatch(name)
	if m == nil {
		return incident.SeverityUnknown, false
	}
	switch n, _ := strconv.Atoi(m[1]); {
	case n <= 1:
		return incident.SeverityCritical, true
	case n == 2:
		return incident.SeverityHigh, true
	default:
		return incident.SeverityLow, true
	}
}

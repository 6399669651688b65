package webhook

import (
	"fmt"

	"github.com/hero-exporter/hero_exporter/internal/config"
)

// PushFields are the configuration fields every push source takes for its protection.
var PushFields = []string{"allow_unauthenticated", "max_label_values", "allowed_teams", "allowed_services"}

// CheckConfig validates the protection of a push source: a token, or the explicit
// allow_unauthenticated opt-out (tokenRequired: no opt-out for this type), and the bounds
// on label values.
func CheckConfig(s *config.Source, tokenRequired bool, fail func(field, format string, args ...any)) {
	hasToken := s.TokenFile != "" || s.TokenEnv != ""
	switch {
	case s.AllowUnauthenticated && tokenRequired:
		fail("allow_unauthenticated", "is not available for %s sources: they always need a token", s.Type)
	case s.AllowUnauthenticated && hasToken:
		fail("allow_unauthenticated", "contradicts the token set in token_file or token_env; remove one of them")
	case !s.AllowUnauthenticated && !hasToken && !tokenRequired:
		fail("", "needs token_file or token_env (a bearer token its clients send), or allow_unauthenticated: true to accept pushes from anyone who can reach the port")
	}
	if s.MaxLabelValues < 0 || s.MaxLabelValues > MaxMaxValues {
		fail("max_label_values", "must be between 1 and %d, got %d", MaxMaxValues, s.MaxLabelValues)
	}
	for field, list := range map[string][]string{"allowed_teams": s.AllowedTeams, "allowed_services": s.AllowedServices} {
		for i, v := range list {
			if v == "" || len(v) > MaxValueBytes {
				fail(fmt.Sprintf("%s[%d]", field, i), "must be a non-empty value of at most %d bytes", MaxValueBytes)
			}
		}
	}
}

// LimitsOf returns the label limits a push source's configuration sets.
func LimitsOf(s config.Source) LabelLimits {
	l := LabelLimits{MaxValues: s.MaxLabelValues, Allowed: map[string][]string{}}
	if s.AllowedTeams != nil {
		l.Allowed["team"] = s.AllowedTeams
	}
	if s.AllowedServices != nil {
		l.Allowed["service"] = s.AllowedServices
	}
	return l
}

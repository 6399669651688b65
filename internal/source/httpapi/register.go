package httpapi

import (
	"log/slog"

	"github.com/hero-exporter/hero_exporter/internal/config"
	"github.com/hero-exporter/hero_exporter/internal/source"
)

// APIFields are the configuration fields every API source uses.
var APIFields = []string{"base_url", "token_file", "token_env", "history", "timeout", "requests_per_minute"}

// RegisterAPI registers an API source type (see source.Register): the common fields of
// SourceConfig (base_url, a required token, history default 90d, timeout default 30s,
// requests_per_minute up to maxPerMinute, the vendor's documented limit, which is also
// the default), check for the type's own configuration rules (nil: none) and newSource
// building the vendor's source from the common configuration. A vendor package calls it
// from init().
func RegisterAPI[S source.Source](typ string, maxPerMinute float64, check func(s *config.Source, fail func(field, format string, args ...any)),
	newSource func(c SourceConfig, logger *slog.Logger) (S, error)) {
	source.Register(source.Kind{
		SourceType: config.SourceType{
			Name: typ, Fields: APIFields, NeedsToken: true,
			History: "90d", Timeout: "30s",
			Check: func(s *config.Source, fail func(field, format string, args ...any)) {
				// Teams share one vendor budget with other tools: a lower limit is
				// allowed, a higher one would only earn 429s.
				if s.RequestsPerMinute < 0 || s.RequestsPerMinute > maxPerMinute {
					fail("requests_per_minute", "must be more than 0 and at most %g, %s's documented limit (the default), got %g",
						maxPerMinute, typ, s.RequestsPerMinute)
				}
				if check != nil {
					check(s, fail)
				}
			},
		},
		New: func(sc config.Source, env source.Env) (source.Source, error) {
			c := SourceConfig{Name: sc.Name, BaseURL: sc.BaseURL, Token: string(sc.Token), History: sc.History.D,
				Timeout: sc.Timeout.D, RequestsPerMinute: sc.RequestsPerMinute, Clock: env.Clock}
			if env.Config != nil {
				c.DefaultTimezone = env.Config.Hours.DefaultTimezone
			}
			s, err := newSource(c, env.Logger)
			if err != nil {
				return nil, err // not a typed nil in an interface
			}
			return s, nil
		},
	})
}

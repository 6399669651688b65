package alertmanager

import (
	"context"
	"strings"

	"github.com/hero-exporter/hero_exporter/internal/config"
	"github.com/hero-exporter/hero_exporter/internal/source"
	"github.com/hero-exporter/hero_exporter/internal/webhook"
)

func init() {
	source.Register(source.Kind{
		SourceType: config.SourceType{
			Name: Type, Fields: append([]string{"path", "token_file", "token_env", "labels", "max_body_bytes"}, webhook.PushFields...),
			Check: func(s *config.Source, fail func(field, format string, args ...any)) {
				webhook.CheckConfig(s, false, fail)
				if !strings.HasPrefix(s.Path, "/") {
					fail("path", "must be an HTTP path starting with /, got %q", s.Path)
				}
				if s.MaxBodyBytes < 0 || s.MaxBodyBytes > MaxMaxBodyBytes {
					fail("max_body_bytes", "must be between 1 and %d (1 GiB), got %d", int64(MaxMaxBodyBytes), s.MaxBodyBytes)
				}
				for k := range s.Labels {
					if k != "team" && k != "service" && k != "severity" {
						fail("labels."+k, "unknown field; labels maps team, service and severity to alert label names")
					}
				}
			},
		},
		New: func(sc config.Source, env source.Env) (source.Source, error) {
			r := New(Config{
				Name: sc.Name, Path: sc.Path, Token: string(sc.Token), MaxBodyBytes: sc.MaxBodyBytes,
				TeamLabel: sc.Labels["team"], ServiceLabel: sc.Labels["service"], SeverityLabel: sc.Labels["severity"],
				AllowUnauthenticated: sc.AllowUnauthenticated, Labels: webhook.LimitsOf(sc),
			}, env.Store, env.Recompute, env.Logger)
			r.labels.SeedFrom(context.Background(), env.Store, sc.Name)
			return r, nil
		},
	})
}

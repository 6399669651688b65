package changes

import (
	"context"
	"fmt"
	"strings"

	"github.com/hero-exporter/hero_exporter/internal/config"
	"github.com/hero-exporter/hero_exporter/internal/source"
	"github.com/hero-exporter/hero_exporter/internal/webhook"
)

func init() {
	source.Register(source.Kind{
		SourceType: config.SourceType{
			Name:       Type,
			Fields:     append([]string{"path", "token_file", "token_env", "max_body_bytes", "secret_file", "environments"}, webhook.PushFields...),
			NeedsToken: true,
			Check: func(s *config.Source, fail func(field, format string, args ...any)) {
				webhook.CheckConfig(s, true, fail)
				if s.Path != "" && !strings.HasPrefix(s.Path, "/") {
					fail("path", "must be an HTTP path starting with /, got %q", s.Path)
				}
				if s.MaxBodyBytes < 0 || s.MaxBodyBytes > MaxMaxBodyBytes {
					fail("max_body_bytes", "must be between 1 and %d (64 MiB), got %d", int64(MaxMaxBodyBytes), s.MaxBodyBytes)
				}
				for i, e := range s.Environments {
					if strings.TrimSpace(e) == "" {
						fail(fmt.Sprintf("environments[%d]", i), "is empty")
					}
				}
				if s.Environments != nil && s.SecretFile == "" {
					fail("environments", "filters GitHub deployments; it needs secret_file (the GitHub webhook secret)")
				}
			},
		},
		New: func(sc config.Source, env source.Env) (source.Source, error) {
			cfg := Config{
				Name: sc.Name, Path: sc.Path, Token: string(sc.Token), GitHubSecret: string(sc.Secret),
				Environments: sc.Environments, MaxBodyBytes: sc.MaxBodyBytes, Labels: webhook.LimitsOf(sc),
			}
			if env.Clock != nil {
				cfg.Now = env.Clock.Now
			}
			r, err := New(cfg, env.Store, env.Recompute, env.Logger)
			if err != nil {
				return nil, err
			}
			r.SeedLabels(context.Background(), env.Store)
			return r, nil
		},
	})
}

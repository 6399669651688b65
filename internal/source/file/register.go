package file

import (
	"github.com/hero-exporter/hero_exporter/internal/config"
	"github.com/hero-exporter/hero_exporter/internal/source"
)

// Type is the source type name in the config.
const Type = "file"

func init() {
	source.Register(source.Kind{
		SourceType: config.SourceType{
			Name: Type, Fields: []string{"path"}, RefreshInterval: "30s",
			Check: func(s *config.Source, fail func(field, format string, args ...any)) {
				if s.Path == "" {
					fail("path", "is required for a file source")
				}
			},
		},
		New: func(sc config.Source, env source.Env) (source.Source, error) {
			return New(sc.Name, sc.Path, env.Logger), nil
		},
	})
}

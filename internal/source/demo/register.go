package demo

import (
	"time"

	"github.com/hero-exporter/hero_exporter/internal/config"
	"github.com/hero-exporter/hero_exporter/internal/source"
)

// Type is the source type name in the config.
const Type = "demo"

func init() {
	source.Register(source.Kind{
		SourceType: config.SourceType{Name: Type, Fields: []string{"seed"}, RefreshInterval: "30s"},
		New: func(sc config.Source, env source.Env) (source.Source, error) {
			var now func() time.Time
			if env.Clock != nil {
				now = env.Clock.Now
			}
			return New(sc.Name, sc.Seed, now), nil
		},
	})
}

package source

import (
	"context"
	"strings"
	"testing"

	"github.com/hero-exporter/hero_exporter/internal/config"
	"github.com/hero-exporter/hero_exporter/internal/incident"
)

type kindTestSource struct{ name string }

func (s kindTestSource) Name() string                           { return s.name }
func (kindTestSource) Type() string                             { return "registrytest" }
func (kindTestSource) Capabilities() incident.Capabilities      { return incident.Capabilities{} }
func (kindTestSource) Sync(context.Context, string, Sink) error { return nil }

// A registered type is validated by the configuration with its own fields, defaults and
// check, and built by New; nothing else needs to know it.
func TestRegister(t *testing.T) {
	Register(Kind{
		SourceType: config.SourceType{Name: "registrytest", Fields: []string{"path"}, RefreshInterval: "2m",
			Check: func(s *config.Source, fail func(field, format string, args ...any)) {
				if !strings.HasSuffix(s.Path, ".x") {
					fail("path", "must end in .x, got %q", s.Path)
				}
			}},
		New: func(sc config.Source, env Env) (Source, error) { return kindTestSource{name: sc.Name}, nil },
	})
	cfg, err := config.Parse([]byte("sources:\n  - {name: r, type: registrytest, path: a.x}\n"), "hero.yml")
	if err != nil {
		t.Fatal(err)
	}
	if got := cfg.Sources[0].RefreshInterval.String(); got != "2m" {
		t.Errorf("refresh_interval default %s, want 2m", got)
	}
	src, err := New(cfg.Sources[0], Env{})
	if err != nil || src.Name() != "r" {
		t.Errorf("New: %v, %v", src, err)
	}
	_, err = config.Parse([]byte("sources:\n  - name: r\n    type: registrytest\n    path: a.y\n    seed: 3\n"), "hero.yml")
	want := "hero.yml:5: sources[0].seed: is not used by registrytest sources\nhero.yml:4: sources[0].path: must end in .x, got \"a.y\""
	if err == nil || err.Error() != want {
		t.Errorf("err = %v, want %s", err, want)
	}
	for name, k := range map[string]Kind{
		"duplicate":      {SourceType: config.SourceType{Name: "registrytest"}, New: func(config.Source, Env) (Source, error) { return nil, nil }},
		"no constructor": {SourceType: config.SourceType{Name: "registrytest2"}},
		"unknown field":  {SourceType: config.SourceType{Name: "registrytest3", Fields: []string{"colour"}}, New: func(config.Source, Env) (Source, error) { return nil, nil }},
	} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("%s: Register did not panic", name)
				}
			}()
			Register(k)
		}()
	}
}

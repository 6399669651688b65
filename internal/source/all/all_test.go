package all_test

import (
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/hero-exporter/hero_exporter/internal/config"
	"github.com/hero-exporter/hero_exporter/internal/source"
	_ "github.com/hero-exporter/hero_exporter/internal/source/all"
)

// Every source type is registered once, with the configuration and the runtime, and
// builds from a validated configuration entry through the registry alone.
func TestEveryTypeRegistered(t *testing.T) {
	want := []string{"alertmanager", "changes", "demo", "file", "firehydrant", "grafanaoncall", "incidentio", "opsgenie", "pagerduty", "rootly"}
	if got := source.Types(); !reflect.DeepEqual(got, want) {
		t.Fatalf("source.Types() = %v, want %v", got, want)
	}
	if got := config.SourceTypeNames(); !reflect.DeepEqual(got, want) {
		t.Fatalf("config.SourceTypeNames() = %v, want %v", got, want)
	}
	token := filepath.Join(t.TempDir(), "token")
	if err := os.WriteFile(token, []byte("t0ken\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	var y strings.Builder
	y.WriteString("sources:\n")
	for _, typ := range want {
		y.WriteString("  - name: " + typ + "-src\n    type: " + typ + "\n")
		switch typ {
		case "demo":
		case "file":
			y.WriteString("    path: /nonexistent/x.ndjson\n")
		case "alertmanager":
			y.WriteString("    path: /hooks/am\n    token_file: " + token + "\n")
		case "changes":
			y.WriteString("    token_file: " + token + "\n    secret_file: " + token + "\n")
		case "grafanaoncall":
			y.WriteString("    base_url: https://oncall.example.com\n    token_file: " + token + "\n")
		default:
			y.WriteString("    token_file: " + token + "\n")
		}
	}
	cfg, err := config.Parse([]byte(y.String()), "hero.yml")
	if err != nil {
		t.Fatal(err)
	}
	for i, sc := range cfg.Sources {
		src, err := source.New(sc, source.Env{Config: cfg})
		if err != nil {
			t.Fatalf("%s: %v", sc.Type, err)
		}
		if src.Name() != want[i]+"-src" || src.Type() != want[i] {
			t.Errorf("%s: built Name %q Type %q", sc.Type, src.Name(), src.Type())
		}
		_, api := src.(source.APISource)
		push, isPush := src.(source.Push)
		switch sc.Type {
		case "demo", "file":
			if api || isPush {
				t.Errorf("%s: api %v push %v", sc.Type, api, isPush)
			}
		case "alertmanager":
			if !isPush || push.Path() != "/hooks/am" || push.Handler() == nil || len(source.PushRoutes(src)) != 1 {
				t.Errorf("%s: not a push source at /hooks/am", sc.Type)
			}
		case "changes":
			routes := source.PushRoutes(src)
			if !isPush || push.Path() != "/changes/changes-src" || routes["/changes/changes-src"] == nil ||
				routes["/changes/changes-src/github"] == nil || len(routes) != 2 {
				t.Errorf("%s: routes %v", sc.Type, routes)
			}
		default:
			if !api {
				t.Errorf("%s: not an API source", sc.Type)
			}
		}
	}
	if _, err := source.New(config.Source{Name: "x", Type: "servicenow"}, source.Env{}); err == nil ||
		err.Error() != `source type "servicenow" is not implemented in this version` {
		t.Errorf("unknown type: %v", err)
	}
}

// The defaults and field rules come from the registered types.
func TestRegisteredDefaultsAndFields(t *testing.T) {
	t.Setenv("HERO_TEST_TOKEN", "t0ken")
	cfg, err := config.Parse([]byte("sources:\n  - {name: d, type: demo}\n  - {name: p, type: pagerduty, token_env: HERO_TEST_TOKEN}\n"+
		"  - {name: a, type: alertmanager, path: /am, allow_unauthenticated: true}\n"), "hero.yml")
	if err != nil {
		t.Fatal(err)
	}
	d, p, a := cfg.Sources[0], cfg.Sources[1], cfg.Sources[2]
	if d.RefreshInterval.String() != "30s" || d.History.D != 0 || p.RefreshInterval.String() != "1m" ||
		p.History.String() != "90d" || p.Timeout.String() != "30s" || a.RefreshInterval.String() != "1m" || a.Timeout.D != 0 {
		t.Errorf("defaults: demo %s/%s, pagerduty %s/%s/%s, alertmanager %s/%s", d.RefreshInterval, d.History,
			p.RefreshInterval, p.History, p.Timeout, a.RefreshInterval, a.Timeout)
	}
	_, err = config.Parse([]byte("sources:\n  - {name: a, type: alertmanager, path: /am, history: 3d, allow_unauthenticated: true}\n"), "hero.yml")
	if err == nil || err.Error() != "hero.yml:2: sources[0].history: is not used by alertmanager sources" {
		t.Errorf("history on a push source: %v", err)
	}
}

// requests_per_minute is validated per API source against the vendor's documented
// limit (also the default): up to it is accepted and built, above it or negative is an
// error naming the field; push and file sources do not take it.
func TestRequestsPerMinuteLimits(t *testing.T) {
	t.Setenv("HERO_TEST_TOKEN", "t0ken")
	limits := map[string]float64{"pagerduty": 960, "incidentio": 1200, "grafanaoncall": 60, "rootly": 3000,
		"opsgenie": 300, "firehydrant": 300}
	for typ, max := range limits {
		extra := ""
		if typ == "grafanaoncall" {
			extra = ", base_url: 'https://oncall.example.com'"
		}
		entry := func(rpm float64) []byte {
			return []byte(fmt.Sprintf("sources:\n  - {name: s, type: %s, token_env: HERO_TEST_TOKEN, requests_per_minute: %g%s}\n", typ, rpm, extra))
		}
		cfg, err := config.Parse(entry(max), "hero.yml")
		if err != nil {
			t.Errorf("%s at its limit %g: %v", typ, max, err)
			continue
		}
		if _, err := source.New(cfg.Sources[0], source.Env{Config: cfg}); err != nil {
			t.Errorf("%s: build: %v", typ, err)
		}
		if _, err := config.Parse(entry(max/4), "hero.yml"); err != nil {
			t.Errorf("%s below its limit: %v", typ, err)
		}
		for _, bad := range []float64{max + 1, -1} {
			_, err := config.Parse(entry(bad), "hero.yml")
			want := fmt.Sprintf("hero.yml:2: sources[0].requests_per_minute: must be more than 0 and at most %g, %s's documented limit (the default), got %g", max, typ, bad)
			if err == nil || err.Error() != want {
				t.Errorf("%s with %g: %v\nwant %s", typ, bad, err, want)
			}
		}
	}
	_, err := config.Parse([]byte("sources:\n  - {name: a, type: alertmanager, path: /am, requests_per_minute: 10, allow_unauthenticated: true}\n"), "hero.yml")
	if err == nil || err.Error() != "hero.yml:2: sources[0].requests_per_minute: is not used by alertmanager sources" {
		t.Errorf("on a push source: %v", err)
	}
}

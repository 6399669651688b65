package mixin

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"
)

// TestCheckedInFilesAreGenerated fails when rules/ or dashboards/ differ from what the mixin
// generates (someone edited a generated file, or changed the mixin without `make mixin`),
// and when a rule file or dashboard exists that the mixin does not generate.
func TestCheckedInFilesAreGenerated(t *testing.T) {
	files, err := Generate(".", "")
	if err != nil {
		t.Fatal(err)
	}
	root := ".."
	var want []string
	for _, pattern := range []string{"rules/*.yml", "dashboards/*.json"} {
		m, err := filepath.Glob(filepath.Join(root, pattern))
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range m {
			rel, _ := filepath.Rel(root, p)
			want = append(want, filepath.ToSlash(rel))
		}
	}
	var got []string
	for n := range files {
		got = append(got, n)
	}
	sort.Strings(got)
	sort.Strings(want)
	if !slices.Equal(got, want) {
		t.Errorf("the mixin generates %v, the repository has %v", got, want)
	}
	for _, n := range got {
		old, err := os.ReadFile(filepath.Join(root, filepath.FromSlash(n)))
		if err != nil {
			t.Errorf("%s: %v (run `make mixin`)", n, err)
			continue
		}
		if !bytes.Equal(old, files[n]) {
			t.Errorf("%s differs from what mixin/ generates: edit mixin/ and run `make mixin`, never the generated file\n%s",
				n, firstDifference(old, files[n]))
		}
	}
}

func firstDifference(a, b []byte) string {
	al, bl := strings.Split(string(a), "\n"), strings.Split(string(b), "\n")
	for i := 0; i < len(al) || i < len(bl); i++ {
		var x, y string
		if i < len(al) {
			x = al[i]
		}
		if i < len(bl) {
			y = bl[i]
		}
		if x != y {
			return "line " + itoa(i+1) + ":\n  checked in: " + x + "\n  generated:  " + y
		}
	}
	return "(same lines, different bytes)"
}

func itoa(i int) string { b, _ := json.Marshal(i); return string(b) }

type ruleFile struct {
	Groups []struct {
		Name  string `yaml:"name"`
		Rules []struct {
			Record string            `yaml:"record"`
			Alert  string            `yaml:"alert"`
			Expr   string            `yaml:"expr"`
			For    string            `yaml:"for"`
			Labels map[string]string `yaml:"labels"`
		} `yaml:"rules"`
	} `yaml:"groups"`
}

// TestConfigIsApplied renders the mixin with another selector, thresholds and windows and
// checks that they reach every rule and the dashboards' job variable, and that no job
// value is left hard-coded anywhere.
func TestConfigIsApplied(t *testing.T) {
	files, err := Generate(".", `{ _config+:: {
		heroExporterSelector: 'job="hero",cluster="eu1"',
		responderLoadThreshold: 0.4,
		sleepInterruptionsThreshold: 5,
		teamAlertFor: '2h',
		shortWindow: '14d',
		longWindow: '56d',
	} }`)
	if err != nil {
		t.Fatal(err)
	}
	anyJob := regexp.MustCompile(`job\s*=~?\s*"([^"]*)"`)
	for _, name := range []string{"rules/hero_alerts.yml", "rules/hero_rules.yml", "rules/hero_fleet_rules.yml"} {
		var rf ruleFile
		if err := yaml.Unmarshal(files[name], &rf); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		n := 0
		for _, g := range rf.Groups {
			for _, r := range g.Rules {
				n++
				what := r.Alert + r.Record
				// The fleet's topk reads the fleet sum recorded just before it.
				builtOnFleetSum := strings.HasPrefix(r.Expr, "topk(") && strings.Contains(r.Expr, "log_fingerprint:hero_exception_events:sum_rate")
				if !builtOnFleetSum && !strings.Contains(r.Expr, `{job="hero",cluster="eu1"`) {
					t.Errorf("%s %s: expression does not use the configured selector: %s", name, what, r.Expr)
				}
				for _, m := range anyJob.FindAllStringSubmatch(r.Expr, -1) {
					if m[1] != "hero" {
						t.Errorf("%s %s: hard-coded job value %q: %s", name, what, m[1], r.Expr)
					}
				}
				if strings.Contains(r.Expr, `"28d"`) || strings.Contains(r.Expr, `"7d"`) {
					t.Errorf("%s %s: a window is not taken from _config: %s", name, what, r.Expr)
				}
				switch r.Alert {
				case "HeroExporterDown":
					if r.Expr != `absent(hero_exporter_build_info{job="hero",cluster="eu1"})` {
						t.Errorf("HeroExporterDown: %s", r.Expr)
					}
				case "HeroResponderLoadHigh":
					if !strings.Contains(r.Expr, `window="56d"} > 0.4`) || r.For != "2h" {
						t.Errorf("HeroResponderLoadHigh: threshold/window/for not applied: %s for %s", r.Expr, r.For)
					}
				case "HeroSleepInterruptionsHigh":
					if !strings.HasSuffix(strings.TrimSpace(r.Expr), `window="14d",period="sleep"} > 5`) {
						t.Errorf("HeroSleepInterruptionsHigh: %s", r.Expr)
					}
				}
			}
		}
		if n == 0 {
			t.Errorf("%s: no rules", name)
		}
	}
	for _, name := range []string{"dashboards/on-call-load.json", "dashboards/exceptions.json", "dashboards/exporter-health.json"} {
		var d struct {
			Templating struct {
				List []struct {
					Name  string          `json:"name"`
					Query json.RawMessage `json:"query"`
				} `json:"list"`
			} `json:"templating"`
		}
		if err := json.Unmarshal(files[name], &d); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		found := false
		for _, v := range d.Templating.List {
			if v.Name != "job" {
				continue
			}
			found = true
			var q struct {
				Query string `json:"query"`
			}
			if err := json.Unmarshal(v.Query, &q); err != nil || q.Query != `label_values(hero_exporter_build_info{job="hero",cluster="eu1"}, job)` {
				t.Errorf("%s: job variable query %s does not use the configured selector (%v)", name, v.Query, err)
			}
		}
		if !found {
			t.Errorf("%s: no job variable", name)
		}
	}
}

// TestGenerateRejectsBadMixin checks that an error in the mixin is reported, not written.
func TestGenerateRejectsBadMixin(t *testing.T) {
	if _, err := Generate(".", `{ _config+:: { heroExporterSelector: error 'broken' } }`); err == nil ||
		!strings.Contains(err.Error(), "broken") {
		t.Errorf("Generate with a failing config: err = %v, want the Jsonnet error", err)
	}
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "files.jsonnet"), []byte(`function(overrides={}) { 'x.txt': { json: {} } }`), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := Generate(dir, ""); err == nil {
		t.Error("Generate accepted a .txt output")
	}
}

// TestChartCarriesGeneratedFiles: the Helm chart (deploy/helm/hero-exporter/files) holds
// the rule files and dashboards byte for byte. deploy/charttest checks the rendered chart
// in a module of its own; this check runs with the exporter's tests, so that a change of
// the mixin without `make mixin` (which runs `make chart`) fails here too.
func TestChartCarriesGeneratedFiles(t *testing.T) {
	files, err := Generate(".", "")
	if err != nil {
		t.Fatal(err)
	}
	chart := filepath.Join("..", "deploy", "helm", "hero-exporter", "files")
	var inChart []string
	for _, pattern := range []string{"rules/*", "dashboards/*"} {
		m, err := filepath.Glob(filepath.Join(chart, pattern))
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range m {
			rel, _ := filepath.Rel(chart, p)
			inChart = append(inChart, filepath.ToSlash(rel))
		}
	}
	var want []string
	for n := range files {
		want = append(want, n)
	}
	sort.Strings(want)
	sort.Strings(inChart)
	if !slices.Equal(inChart, want) {
		t.Errorf("the chart's files are %v, the mixin generates %v (run `make mixin`)", inChart, want)
	}
	for _, n := range want {
		b, err := os.ReadFile(filepath.Join(chart, filepath.FromSlash(n)))
		if err != nil {
			continue // reported above
		}
		if !bytes.Equal(b, files[n]) {
			t.Errorf("deploy/helm/hero-exporter/files/%s differs from what mixin/ generates (run `make mixin`)", n)
		}
	}
}

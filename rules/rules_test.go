// Package rules holds the Prometheus alerting and recording rules of hero_exporter (YAML
// files next to this test), their promtool tests (tests/) and the runbook.
package rules

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/common/model"
	"go.yaml.in/yaml/v3"
)

const (
	alertsFile  = "hero_alerts.yml"
	recordsFile = "hero_rules.yml"
	fleetFile   = "hero_fleet_rules.yml"
	runbookFile = "runbook.md"
)

// needTool returns the path of a command-line tool; without it the test is skipped, except
// in CI (CI=true), where a missing tool is a failure.
func needTool(t *testing.T, name string) string {
	t.Helper()
	path, err := exec.LookPath(name)
	if err == nil {
		return path
	}
	if os.Getenv("CI") == "true" {
		t.Fatalf("%s is required in CI (apt-get install -y prometheus): %v", name, err)
	}
	t.Skipf("%s not found (apt-get install -y prometheus); skipping outside CI", name)
	return ""
}

func TestPromtoolCheckRules(t *testing.T) {
	promtool := needTool(t, "promtool")
	out, err := exec.Command(promtool, "check", "rules", recordsFile, alertsFile, fleetFile).CombinedOutput()
	if err != nil {
		t.Fatalf("promtool check rules: %v\n%s", err, out)
	}
}

func TestPromtoolTestRules(t *testing.T) {
	promtool := needTool(t, "promtool")
	files := testFiles(t)
	out, err := exec.Command(promtool, append([]string{"test", "rules"}, files...)...).CombinedOutput()
	if err != nil {
		t.Fatalf("promtool test rules: %v\n%s", err, out)
	}
}

func testFiles(t *testing.T) []string {
	t.Helper()
	files, err := filepath.Glob(filepath.Join("tests", "*.yml"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no promtool tests in tests/*.yml (%v)", err)
	}
	return files
}

type rule struct {
	Record      string            `yaml:"record"`
	Alert       string            `yaml:"alert"`
	Expr        string            `yaml:"expr"`
	For         string            `yaml:"for"`
	Labels      map[string]string `yaml:"labels"`
	Annotations map[string]string `yaml:"annotations"`
}

type group struct {
	Name  string `yaml:"name"`
	Rules []rule `yaml:"rules"`
}

func loadGroups(t *testing.T, path string) []group {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var f struct {
		Groups []group `yaml:"groups"`
	}
	if err := yaml.Unmarshal(b, &f); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return f.Groups
}

func alerts(t *testing.T) []rule {
	var out []rule
	for _, g := range loadGroups(t, alertsFile) {
		for _, r := range g.Rules {
			if r.Alert == "" {
				t.Errorf("%s: group %s has a recording rule %q; recording rules go into %s", alertsFile, g.Name, r.Record, recordsFile)
				continue
			}
			out = append(out, r)
		}
	}
	if len(out) == 0 {
		t.Fatalf("no alerts in %s", alertsFile)
	}
	return out
}

// stateAlerts have a constant value (a 0 from an up-style gauge, or the 1 of absent()), so
// their description does not quote it.
var stateAlerts = map[string]bool{
	"HeroSourceDown":               true,
	"HeroExporterCollectorFailing": true,
	"HeroExporterDown":             true,
}

// TestAlertConventions checks the mixin conventions the promtool tests cannot: names,
// severities, audiences, annotations, runbook links and documented thresholds.
func TestAlertConventions(t *testing.T) {
	runbook, err := os.ReadFile(runbookFile)
	if err != nil {
		t.Fatal(err)
	}
	header, err := os.ReadFile(alertsFile)
	if err != nil {
		t.Fatal(err)
	}
	headings := map[string]bool{}
	for _, line := range strings.Split(string(runbook), "\n") {
		if h, ok := strings.CutPrefix(line, "## "); ok {
			headings[strings.ToLower(strings.TrimSpace(h))] = true
		}
	}
	name := regexp.MustCompile(`^Hero[A-Z][A-Za-z0-9]*$`)
	const runbookURL = "https://github.com/hero-exporter/hero_exporter/blob/main/rules/runbook.md#"
	seen := map[string]bool{}
	for _, a := range alerts(t) {
		if !name.MatchString(a.Alert) {
			t.Errorf("alert %q: name is not HeroCamelCase", a.Alert)
		}
		if seen[a.Alert] {
			t.Errorf("alert %q defined twice", a.Alert)
		}
		seen[a.Alert] = true
		d, err := model.ParseDuration(a.For)
		if err != nil || time.Duration(d) <= 0 {
			t.Errorf("alert %s: for %q must be a positive duration (%v)", a.Alert, a.For, err)
		}
		sev, aud := a.Labels["severity"], a.Labels["audience"]
		if !slices.Contains([]string{"critical", "warning", "info"}, sev) {
			t.Errorf("alert %s: severity %q, want critical, warning or info", a.Alert, sev)
		}
		if !slices.Contains([]string{"team", "service", "operator"}, aud) {
			t.Errorf("alert %s: audience %q, want team, service or operator", a.Alert, aud)
		}
		if aud == "team" && sev == "critical" {
			t.Errorf("alert %s is about people (audience team) and must not be critical", a.Alert)
		}
		summary, desc, url := a.Annotations["summary"], a.Annotations["description"], a.Annotations["runbook_url"]
		if summary == "" || strings.Contains(summary, "{{") || !strings.HasSuffix(summary, ".") {
			t.Errorf("alert %s: summary %q must be a static sentence", a.Alert, summary)
		}
		if !strings.Contains(desc, "{{ $labels.") {
			t.Errorf("alert %s: description %q must name the team, person, log or source", a.Alert, desc)
		}
		if !stateAlerts[a.Alert] && !strings.Contains(desc, "{{ $value") {
			t.Errorf("alert %s: description %q must give the value", a.Alert, desc)
		}
		anchor, ok := strings.CutPrefix(url, runbookURL)
		if !ok || anchor != strings.ToLower(a.Alert) {
			t.Errorf("alert %s: runbook_url %q, want %s%s", a.Alert, url, runbookURL, strings.ToLower(a.Alert))
		}
		if !headings[strings.ToLower(a.Alert)] {
			t.Errorf("alert %s: no '## %s' section in %s", a.Alert, a.Alert, runbookFile)
		}
		if !strings.Contains(string(runbook), "| ["+a.Alert+"](#"+strings.ToLower(a.Alert)+") |") {
			t.Errorf("alert %s: not in the threshold table of %s", a.Alert, runbookFile)
		}
		if !regexp.MustCompile(`(?m)^#\s+` + a.Alert + `\s`).Match(header) {
			t.Errorf("alert %s: not in the threshold table at the top of %s", a.Alert, alertsFile)
		}
	}
}

// TestRecordingRuleNames checks level:metric:operations and that every recording rule keeps
// job and instance (it must not aggregate them away).
func TestRecordingRuleNames(t *testing.T) {
	name := regexp.MustCompile(`^[a-z]+(_[a-z]+)*:hero_[a-z0-9_]+:[a-z0-9_]+$`)
	for _, g := range loadGroups(t, recordsFile) {
		for _, r := range g.Rules {
			if r.Record == "" {
				t.Errorf("%s: group %s has alert %q; alerts go into %s", recordsFile, g.Name, r.Alert, alertsFile)
				continue
			}
			if !name.MatchString(r.Record) {
				t.Errorf("recording rule %q is not named level:metric:operations", r.Record)
			}
			if regexp.MustCompile(`\bby\s*\(`).MatchString(r.Expr) ||
				regexp.MustCompile(`without\s*\([^)]*\b(job|instance)\b`).MatchString(r.Expr) {
				t.Errorf("recording rule %s must keep job and instance (use sum without (...)): %s", r.Record, r.Expr)
			}
		}
	}
}

// TestFleetRuleNames checks the fleet rules: level:metric:operations names whose level
// is exactly the labels they keep (log and fingerprint), no alerts, and that they drop the
// per-exporter labels on purpose (sum by (log, fingerprint)) or build on such a rule.
func TestFleetRuleNames(t *testing.T) {
	name := regexp.MustCompile(`^log_fingerprint:hero_[a-z0-9_]+:[a-z0-9_]+$`)
	n := 0
	for _, g := range loadGroups(t, fleetFile) {
		for _, r := range g.Rules {
			n++
			if r.Record == "" {
				t.Errorf("%s: group %s has alert %q; alerts go into %s", fleetFile, g.Name, r.Alert, alertsFile)
				continue
			}
			if !name.MatchString(r.Record) {
				t.Errorf("fleet rule %q is not named log_fingerprint:metric:operations", r.Record)
			}
			if !strings.Contains(r.Expr, "sum by (log, fingerprint)") && !strings.Contains(r.Expr, "log_fingerprint:") {
				t.Errorf("fleet rule %s does not aggregate to log and fingerprint: %s", r.Record, r.Expr)
			}
		}
	}
	if n == 0 {
		t.Errorf("no fleet rules in %s", fleetFile)
	}
}

type promtoolTests struct {
	RuleFiles          []string `yaml:"rule_files"`
	EvaluationInterval string   `yaml:"evaluation_interval"`
	GroupEvalOrder     []string `yaml:"group_eval_order"`
	Tests              []struct {
		AlertRuleTest []struct {
			EvalTime  string `yaml:"eval_time"`
			Alertname string `yaml:"alertname"`
			ExpAlerts []struct {
				ExpLabels      map[string]string `yaml:"exp_labels"`
				ExpAnnotations map[string]string `yaml:"exp_annotations"`
			} `yaml:"exp_alerts"`
		} `yaml:"alert_rule_test"`
	} `yaml:"tests"`
}

// TestPromtoolTestsCoverEveryAlert checks that every alert has a promtool case where it
// fires with asserted labels and annotations, and a case one evaluation before that where it
// does not (just before `for` elapses). It also checks that every test file orders the
// groups recording rules first: without group_eval_order promtool evaluates groups in an
// unspecified order and alerts built on recording rules fire a step late, at random.
// (The order is that of the groups in the rule files each test loads, recording rules
// first.)
func TestPromtoolTestsCoverEveryAlert(t *testing.T) {
	fires := map[string]bool{}
	justBefore := map[string]bool{}
	for _, f := range testFiles(t) {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var pt promtoolTests
		if err := yaml.Unmarshal(b, &pt); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		// The groups of the rule files the test loads, in file order.
		var groupNames []string
		for _, rf := range pt.RuleFiles {
			for _, g := range loadGroups(t, filepath.Join(filepath.Dir(f), rf)) {
				groupNames = append(groupNames, g.Name)
			}
		}
		if !slices.Equal(pt.GroupEvalOrder, groupNames) {
			t.Errorf("%s: group_eval_order %v, want %v", f, pt.GroupEvalOrder, groupNames)
		}
		step, err := model.ParseDuration(pt.EvaluationInterval)
		if err != nil {
			t.Fatalf("%s: evaluation_interval: %v", f, err)
		}
		for _, tc := range pt.Tests {
			silent := map[string]map[model.Duration]bool{}
			type firing struct {
				alert string
				at    model.Duration
			}
			var fired []firing
			for _, a := range tc.AlertRuleTest {
				at, err := model.ParseDuration(a.EvalTime)
				if err != nil {
					t.Fatalf("%s: %s eval_time: %v", f, a.Alertname, err)
				}
				if len(a.ExpAlerts) == 0 {
					if silent[a.Alertname] == nil {
						silent[a.Alertname] = map[model.Duration]bool{}
					}
					silent[a.Alertname][at] = true
					continue
				}
				for _, e := range a.ExpAlerts {
					if e.ExpLabels["severity"] == "" || e.ExpAnnotations["summary"] == "" ||
						e.ExpAnnotations["description"] == "" || e.ExpAnnotations["runbook_url"] == "" {
						t.Errorf("%s: %s at %s: assert severity, summary, description and runbook_url", f, a.Alertname, a.EvalTime)
					}
				}
				fired = append(fired, firing{a.Alertname, at})
			}
			for _, fr := range fired {
				fires[fr.alert] = true
				if silent[fr.alert][fr.at-step] {
					justBefore[fr.alert] = true
				}
			}
		}
	}
	for _, a := range alerts(t) {
		if !fires[a.Alert] {
			t.Errorf("alert %s: no promtool case where it fires", a.Alert)
		}
		if !justBefore[a.Alert] {
			t.Errorf("alert %s: no promtool case one evaluation before it fires", a.Alert)
		}
	}
}

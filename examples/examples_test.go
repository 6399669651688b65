// Package examples holds example configurations for running hero_exporter with Prometheus
// and Alertmanager, and the checks that keep them in line with the rules.
package examples

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"
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

func TestPrometheusConfig(t *testing.T) {
	promtool := needTool(t, "promtool")
	// check config also loads and checks the rule files it names.
	out, err := exec.Command(promtool, "check", "config", "prometheus.yml").CombinedOutput()
	if err != nil {
		t.Fatalf("promtool check config prometheus.yml: %v\n%s", err, out)
	}
	for _, f := range []string{"hero_rules.yml", "hero_alerts.yml"} {
		if !strings.Contains(string(out), f) {
			t.Errorf("prometheus.yml does not load rules/%s:\n%s", f, out)
		}
	}
}

type amRoute struct {
	Receiver string     `yaml:"receiver"`
	Matchers []string   `yaml:"matchers"`
	Continue bool       `yaml:"continue"`
	Routes   []*amRoute `yaml:"routes"`
}

type amConfig struct {
	Route     *amRoute `yaml:"route"`
	Receivers []struct {
		Name             string `yaml:"name"`
		PagerdutyConfigs []any  `yaml:"pagerduty_configs"`
		OpsgenieConfigs  []any  `yaml:"opsgenie_configs"`
		VictoropsConfigs []any  `yaml:"victorops_configs"`
		PushoverConfigs  []any  `yaml:"pushover_configs"`
		SlackConfigs     []any  `yaml:"slack_configs"`
		WebhookConfigs   []any  `yaml:"webhook_configs"`
		MSTeamsConfigs   []any  `yaml:"msteams_configs"`
	} `yaml:"receivers"`
}

var matcherRE = regexp.MustCompile(`^\s*([a-zA-Z_][a-zA-Z0-9_]*)\s*(=~|!~|!=|=)\s*"(.*)"\s*$`)

// matches evaluates Alertmanager matchers of the form name="v", name!="v", name=~"re",
// name!~"re" (the forms examples/alertmanager.yml uses).
func matches(t *testing.T, matchers []string, labels map[string]string) bool {
	for _, m := range matchers {
		p := matcherRE.FindStringSubmatch(m)
		if p == nil {
			t.Fatalf("matcher %q: unsupported form", m)
		}
		v := labels[p[1]]
		var ok bool
		switch p[2] {
		case "=":
			ok = v == p[3]
		case "!=":
			ok = v != p[3]
		case "=~", "!~":
			re := regexp.MustCompile("^(?:" + p[3] + ")$")
			ok = re.MatchString(v) == (p[2] == "=~")
		}
		if !ok {
			return false
		}
	}
	return true
}

// receivers returns the receivers Alertmanager would notify for labels, following its
// routing: depth first, first matching child wins unless it has continue, a route without a
// matching child uses its own receiver, children inherit their parent's receiver.
func receivers(t *testing.T, r *amRoute, inherited string, labels map[string]string) []string {
	recv := r.Receiver
	if recv == "" {
		recv = inherited
	}
	var out []string
	for _, c := range r.Routes {
		if !matches(t, c.Matchers, labels) {
			continue
		}
		out = append(out, receivers(t, c, recv, labels)...)
		if !c.Continue {
			return out
		}
	}
	if len(out) == 0 {
		out = []string{recv}
	}
	return out
}

// TestAlertmanagerRoutesPeopleAlertsToChat checks that every alert of rules/hero_alerts.yml
// with audience "team" reaches a chat receiver and never a paging one, for any team.
func TestAlertmanagerRoutesPeopleAlertsToChat(t *testing.T) {
	b, err := os.ReadFile("alertmanager.yml")
	if err != nil {
		t.Fatal(err)
	}
	var cfg amConfig
	if err := yaml.Unmarshal(b, &cfg); err != nil {
		t.Fatalf("alertmanager.yml: %v", err)
	}
	if cfg.Route == nil || cfg.Route.Receiver == "" {
		t.Fatal("alertmanager.yml: no route with a default receiver")
	}
	paging, chat := map[string]bool{}, map[string]bool{}
	for _, r := range cfg.Receivers {
		paging[r.Name] = len(r.PagerdutyConfigs)+len(r.OpsgenieConfigs)+len(r.VictoropsConfigs)+len(r.PushoverConfigs) > 0
		chat[r.Name] = len(r.SlackConfigs)+len(r.WebhookConfigs)+len(r.MSTeamsConfigs) > 0
	}

	rb, err := os.ReadFile(filepath.Join("..", "rules", "hero_alerts.yml"))
	if err != nil {
		t.Fatal(err)
	}
	var rules struct {
		Groups []struct {
			Rules []struct {
				Alert  string            `yaml:"alert"`
				Labels map[string]string `yaml:"labels"`
			} `yaml:"rules"`
		} `yaml:"groups"`
	}
	if err := yaml.Unmarshal(rb, &rules); err != nil {
		t.Fatal(err)
	}
	people := 0
	for _, g := range rules.Groups {
		for _, r := range g.Rules {
			for _, team := range []string{"payments", "search", "some-other-team"} {
				labels := map[string]string{"alertname": r.Alert, "team": team, "job": "hero_exporter", "instance": "hero:9863"}
				for k, v := range r.Labels {
					labels[k] = v
				}
				for _, recv := range receivers(t, cfg.Route, "", labels) {
					if paging[recv] {
						t.Errorf("%s (team %s) is routed to the paging receiver %q", r.Alert, team, recv)
					}
					if !chat[recv] {
						t.Errorf("%s (team %s) is routed to %q, which is not a chat receiver", r.Alert, team, recv)
					}
				}
			}
			if r.Labels["audience"] == "team" {
				people++
			}
		}
	}
	if people == 0 {
		t.Error("no alert with audience: team in rules/hero_alerts.yml")
	}
	// The default route pages, so the check above is not vacuous.
	if !paging[cfg.Route.Receiver] {
		t.Logf("default receiver %q does not page", cfg.Route.Receiver)
	}
	if got := receivers(t, cfg.Route, "", map[string]string{"alertname": "SomethingElse", "severity": "critical"}); len(got) != 1 || got[0] != cfg.Route.Receiver {
		t.Errorf("an unrelated alert goes to %v, want the default receiver %q", got, cfg.Route.Receiver)
	}
}

// TestScrapeHonorsExporterLabels checks the documented default for target-label clashes:
// the hero_exporter scrape job keeps the exporter's service/team/type labels
// (honor_labels: true); test/e2e proves with a real Prometheus that the rules then give the
// same figures with and without clashing target labels.
func TestScrapeHonorsExporterLabels(t *testing.T) {
	b, err := os.ReadFile("prometheus.yml")
	if err != nil {
		t.Fatal(err)
	}
	var cfg struct {
		ScrapeConfigs []struct {
			JobName     string `yaml:"job_name"`
			HonorLabels bool   `yaml:"honor_labels"`
		} `yaml:"scrape_configs"`
	}
	if err := yaml.Unmarshal(b, &cfg); err != nil {
		t.Fatal(err)
	}
	found := false
	for _, sc := range cfg.ScrapeConfigs {
		if sc.JobName == "hero_exporter" {
			found = true
			if !sc.HonorLabels {
				t.Error("scrape job hero_exporter: honor_labels is not true; target labels service/team/type would rename the exporter's")
			}
		}
	}
	if !found {
		t.Error("prometheus.yml has no hero_exporter scrape job")
	}
}

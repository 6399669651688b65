//go:build unix

// Package e2e runs hero_exporter together with a real Prometheus server.
package e2e

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"go.yaml.in/yaml/v3"
)

const (
	// scrapes is how many scrapes with incident data the test waits for before querying.
	scrapes = 5
	// alertWait bounds the wait for the hero-load alert to become pending.
	alertWait = 60 * time.Second
)

// mayBeEmpty lists the dashboard queries and recording rules that may return no data, and
// why: each needs a metric family the demo does not emit (its source has no HTTP API).
// The condition is a selector; the query may be empty only while the selector matches no
// series in Prometheus. As soon as the exporter emits the family,
// the query must return data like every other.
var mayBeEmpty = map[string]string{
	// API metrics: the demo source makes no HTTP requests.
	"exporter-health.json/API requests by code": "hero_source_api_requests_total",
	"exporter-health.json/Rate-limit headroom":  "hero_source_rate_limit_remaining",
}

// substitutions replace the dashboard variables so that the queries select everything the
// demo exports (regex matchers) or the window the alerts use.
var substitutions = map[string]string{
	"__rate_interval": "1m",
	"job":             ".*",
	"instance":        ".*",
	"team":            ".*",
	"log":             ".*",
	"window":          "28d",
}

func TestPrometheusScrapesDemo(t *testing.T) {
	if testing.Short() {
		t.Skip("starts hero_exporter and Prometheus; skipped in -short mode")
	}
	root, err := filepath.Abs(filepath.Join("..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	if mains, _ := filepath.Glob(filepath.Join(root, "cmd", "hero_exporter", "*.go")); len(mains) == 0 {
		if os.Getenv("CI") == "true" {
			t.Fatal("cmd/hero_exporter has no Go files; the end-to-end test needs the exporter")
		}
		t.Skip("cmd/hero_exporter does not exist yet; skipping outside CI")
	}
	prometheus := needTool(t, "prometheus")
	dir := t.TempDir()
	bin := exporterBinary(t)

	exporterAddr := freeAddr(t)
	start(t, dir, "hero_exporter", bin, "--demo", "--web.listen-address="+exporterAddr,
		"--storage.path="+filepath.Join(dir, "hero-data"))
	waitReady(t, "http://"+exporterAddr+"/-/ready", 60*time.Second)

	promAddr := freeAddr(t)
	cfg := fmt.Sprintf(`global:
  scrape_interval: 1s
  evaluation_interval: 1s
rule_files:
  - %q
  - %q
scrape_configs:
  - job_name: hero_exporter
    static_configs:
      - targets: [%q]
`, filepath.Join(root, "rules", "hero_rules.yml"), filepath.Join(root, "rules", "hero_alerts.yml"), exporterAddr)
	cfgFile := filepath.Join(dir, "prometheus.yml")
	if err := os.WriteFile(cfgFile, []byte(cfg), 0o644); err != nil {
		t.Fatal(err)
	}
	start(t, dir, "prometheus", prometheus, "--config.file="+cfgFile,
		"--storage.tsdb.path="+filepath.Join(dir, "prometheus-data"),
		"--web.listen-address="+promAddr, "--log.level=warn")
	api := &promAPI{base: "http://" + promAddr}
	waitReady(t, api.base+"/-/ready", 60*time.Second)

	// A few scrapes with incident figures, so that rates and recording rules have data.
	waitFor(t, 90*time.Second, "a few scrapes of the demo's incident figures", func() error {
		v, err := api.query(fmt.Sprintf(`count_over_time(hero_team_responders{job="hero_exporter",team="payments",window="28d"}[1m]) >= %d`, scrapes))
		if err != nil {
			return err
		}
		if len(v) == 0 {
			return errors.New("not enough scrapes yet")
		}
		return nil
	})
	// Every rule has been evaluated at least once, without error.
	waitFor(t, 30*time.Second, "every rule evaluated without error", api.rulesHealthy)

	queries := append(dashboardQueries(t, filepath.Join(root, "dashboards")),
		recordingRules(t, filepath.Join(root, "rules", "hero_rules.yml"))...)
	for key := range mayBeEmpty {
		if !slices.ContainsFunc(queries, func(q query) bool { return q.key == key }) {
			t.Errorf("mayBeEmpty lists %q, which is no dashboard query or recording rule", key)
		}
	}
	t.Run("dashboard queries and recording rules", func(t *testing.T) {
		for _, q := range queries {
			checkQuery(t, api, q)
		}
	})
	t.Run("hero load alert", func(t *testing.T) {
		top, err := api.query(`topk(1, hero_responder_load_ratio{job="hero_exporter",team="payments",window="28d"})`)
		if err != nil || len(top) != 1 {
			t.Fatalf("the demo's most loaded payments person: %v %v", top, err)
		}
		hero := top[0].Metric["person"]
		waitFor(t, alertWait, "HeroResponderLoadHigh pending or firing for "+hero, func() error {
			alerts, err := api.alerts()
			if err != nil {
				return err
			}
			for _, a := range alerts {
				l := a.Labels
				if l["alertname"] == "HeroResponderLoadHigh" && l["team"] == "payments" && l["person"] == hero &&
					(a.State == "pending" || a.State == "firing") {
					if l["severity"] != "warning" || l["audience"] != "team" {
						return fmt.Errorf("alert labels %v", l)
					}
					return nil
				}
			}
			return fmt.Errorf("active alerts: %v", alerts)
		})
	})
}

// query is one PromQL expression to run, with where it comes from.
type query struct {
	key  string // file/panel title, file/variable name or file/record
	expr string
}

func checkQuery(t *testing.T, api *promAPI, q query) {
	t.Helper()
	res, err := api.query(q.expr)
	if err != nil {
		t.Errorf("%s: %v\n  query: %s", q.key, err, q.expr)
		return
	}
	if len(res) > 0 {
		return
	}
	cond, ok := mayBeEmpty[q.key]
	if !ok {
		t.Errorf("%s: no data\n  query: %s", q.key, q.expr)
		return
	}
	present, err := api.query("count(" + cond + ")")
	if err != nil {
		t.Errorf("%s: checking %s: %v", q.key, cond, err)
		return
	}
	if len(present) > 0 {
		t.Errorf("%s: no data although the exporter emits %s\n  query: %s", q.key, cond, q.expr)
		return
	}
	t.Logf("%s: empty, allowed: the demo emits no %s", q.key, cond)
}

var varRef = regexp.MustCompile(`\$\{(\w+)(?::[^}]*)?\}|\$(\w+)`)

// substitute replaces Grafana variables in expr; an unknown variable is an error.
func substitute(expr string) (string, error) {
	var unknown []string
	out := varRef.ReplaceAllStringFunc(expr, func(m string) string {
		sm := varRef.FindStringSubmatch(m)
		name := sm[1] + sm[2]
		v, ok := substitutions[name]
		if !ok {
			unknown = append(unknown, name)
			return m
		}
		return v
	})
	if len(unknown) > 0 {
		return "", fmt.Errorf("unknown variables %v in %q", unknown, expr)
	}
	return out, nil
}

var labelValues = regexp.MustCompile(`^label_values\((.*),\s*(\w+)\s*\)$`)

// dashboardQueries returns every target expression and every label_values variable query
// of the dashboards in dir, with the variables substituted.
func dashboardQueries(t *testing.T, dir string) []query {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(dir, "*.json"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no dashboards in %s (%v)", dir, err)
	}
	var out []query
	add := func(key, expr string) {
		s, err := substitute(expr)
		if err != nil {
			t.Errorf("%s: %v", key, err)
			return
		}
		out = append(out, query{key, s})
	}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var d struct {
			Templating struct {
				List []struct {
					Name  string `json:"name"`
					Type  string `json:"type"`
					Query any    `json:"query"`
				} `json:"list"`
			} `json:"templating"`
			Panels []panel `json:"panels"`
		}
		if err := json.Unmarshal(b, &d); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		name := filepath.Base(f)
		for _, v := range d.Templating.List {
			if v.Type != "query" {
				continue
			}
			q, _ := v.Query.(string)
			if m, ok := v.Query.(map[string]any); ok {
				q, _ = m["query"].(string)
			}
			lv := labelValues.FindStringSubmatch(strings.TrimSpace(q))
			if lv == nil {
				t.Errorf("%s: variable %s: query %q is not label_values(selector, label)", name, v.Name, q)
				continue
			}
			add(name+"/variable "+v.Name, fmt.Sprintf("count by (%s) (%s)", lv[2], lv[1]))
		}
		var walk func([]panel)
		walk = func(ps []panel) {
			for _, p := range ps {
				for _, tg := range p.Targets {
					add(name+"/"+p.Title, tg.Expr)
				}
				walk(p.Panels)
			}
		}
		walk(d.Panels)
	}
	return out
}

type panel struct {
	Title   string `json:"title"`
	Targets []struct {
		Expr string `json:"expr"`
	} `json:"targets"`
	Panels []panel `json:"panels"`
}

func recordingRules(t *testing.T, path string) []query {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var f struct {
		Groups []struct {
			Rules []struct {
				Record string `yaml:"record"`
			} `yaml:"rules"`
		} `yaml:"groups"`
	}
	if err := yaml.Unmarshal(b, &f); err != nil {
		t.Fatal(err)
	}
	var out []query
	for _, g := range f.Groups {
		for _, r := range g.Rules {
			if r.Record != "" {
				// The recorded series, not the expression: this proves the rule is loaded
				// and evaluated by the server.
				out = append(out, query{filepath.Base(path) + "/" + r.Record, r.Record})
			}
		}
	}
	if len(out) == 0 {
		t.Fatalf("no recording rules in %s", path)
	}
	return out
}

// promAPI is a minimal client for the Prometheus HTTP API.
type promAPI struct{ base string }

type sample struct {
	Metric map[string]string `json:"metric"`
}

type alert struct {
	Labels map[string]string `json:"labels"`
	State  string            `json:"state"`
}

func (a *promAPI) get(path string, params url.Values, data any) error {
	resp, err := http.Get(a.base + path + "?" + params.Encode())
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return err
	}
	var r struct {
		Status string          `json:"status"`
		Error  string          `json:"error"`
		Data   json.RawMessage `json:"data"`
	}
	if err := json.Unmarshal(body, &r); err != nil {
		return fmt.Errorf("%s: HTTP %d: %s", path, resp.StatusCode, body)
	}
	if r.Status != "success" {
		return fmt.Errorf("%s: %s", path, r.Error)
	}
	return json.Unmarshal(r.Data, data)
}

// query runs an instant query and returns its vector; other result types are an error.
func (a *promAPI) query(expr string) ([]sample, error) {
	var d struct {
		ResultType string          `json:"resultType"`
		Result     json.RawMessage `json:"result"`
	}
	if err := a.get("/api/v1/query", url.Values{"query": {expr}}, &d); err != nil {
		return nil, err
	}
	if d.ResultType != "vector" {
		return nil, fmt.Errorf("result type %s, want vector", d.ResultType)
	}
	var v []sample
	return v, json.Unmarshal(d.Result, &v)
}

func (a *promAPI) alerts() ([]alert, error) {
	var d struct {
		Alerts []alert `json:"alerts"`
	}
	return d.Alerts, a.get("/api/v1/alerts", nil, &d)
}

// rulesHealthy reports an error until every rule has been evaluated without error.
func (a *promAPI) rulesHealthy() error {
	var d struct {
		Groups []struct {
			File  string `json:"file"`
			Rules []struct {
				Name      string `json:"name"`
				Health    string `json:"health"`
				LastError string `json:"lastError"`
			} `json:"rules"`
		} `json:"groups"`
	}
	if err := a.get("/api/v1/rules", nil, &d); err != nil {
		return err
	}
	var files []string
	n := 0
	for _, g := range d.Groups {
		if !slices.Contains(files, filepath.Base(g.File)) {
			files = append(files, filepath.Base(g.File))
		}
		for _, r := range g.Rules {
			n++
			if r.Health != "ok" {
				return fmt.Errorf("rule %s in %s: health %q %s", r.Name, filepath.Base(g.File), r.Health, r.LastError)
			}
		}
	}
	if len(files) != 2 || n == 0 {
		return fmt.Errorf("rule files loaded: %v (%d rules)", files, n)
	}
	return nil
}

// needTool returns the path of a command-line tool; without it the test is skipped, except
// in CI (CI=true), where a missing tool is a failure.
func needTool(t *testing.T, name string) string {
	t.Helper()
	path, err := exec.LookPath(name)
	if err == nil {
		return path
	}
	if os.Getenv("CI") == "true" {
		t.Fatalf("%s is required in CI (prometheus: apt-get install -y prometheus): %v", name, err)
	}
	t.Skipf("%s not found; skipping outside CI", name)
	return ""
}

func freeAddr(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}

// process is a started command; stop ends it (SIGTERM to its group, SIGKILL after 10 s)
// and waits. stop is idempotent and also runs at cleanup.
type process struct {
	pid  int
	stop func()
}

// start runs a process in its own process group with its output in dir/<name>.log. The
// cleanup stops the whole group and waits for it; on failure it prints the end of the
// log.
func start(t *testing.T, dir, name, bin string, args ...string) *process {
	t.Helper()
	logPath := filepath.Join(dir, name+".log")
	logFile, err := os.Create(logPath)
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, args...)
	cmd.Dir = dir
	cmd.Stdout, cmd.Stderr = logFile, logFile
	cmd.SysProcAttr = sysProcAttr()
	if err := cmd.Start(); err != nil {
		logFile.Close()
		t.Fatalf("start %s: %v", name, err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	var once sync.Once
	stop := func() {
		once.Do(func() {
			pgid := cmd.Process.Pid
			_ = syscall.Kill(-pgid, syscall.SIGTERM)
			select {
			case <-done:
			case <-time.After(10 * time.Second):
				_ = syscall.Kill(-pgid, syscall.SIGKILL)
				<-done
			}
			// Anything left in the group (a child of the child) goes too.
			_ = syscall.Kill(-pgid, syscall.SIGKILL)
		})
	}
	t.Cleanup(func() {
		stop()
		logFile.Close()
		if t.Failed() {
			if b, err := os.ReadFile(logPath); err == nil {
				if len(b) > 4000 {
					b = b[len(b)-4000:]
				}
				t.Logf("%s log (end):\n%s", name, b)
			}
		}
	})
	// Fail fast if the process exits during start-up.
	select {
	case err := <-done:
		done <- err
		b, _ := os.ReadFile(logPath)
		t.Fatalf("%s exited at start: %v\n%s", name, err, b)
	case <-time.After(200 * time.Millisecond):
	}
	return &process{pid: cmd.Process.Pid, stop: stop}
}

func waitReady(t *testing.T, u string, timeout time.Duration) {
	t.Helper()
	waitFor(t, timeout, "GET "+u+" == 200", func() error {
		resp, err := http.Get(u)
		if err != nil {
			return err
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			return fmt.Errorf("HTTP %d", resp.StatusCode)
		}
		return nil
	})
}

func waitFor(t *testing.T, timeout time.Duration, what string, cond func() error) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		err := cond()
		if err == nil {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %s waiting for %s: %v", timeout, what, err)
		}
		time.Sleep(500 * time.Millisecond)
	}
}

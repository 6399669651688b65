// Package dashboards holds the Grafana dashboards of hero_exporter (JSON files next to this
// test) and the checks that keep them consistent with the metric contract and the rules.
package dashboards

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"
)

// dashboardFiles are the dashboards this package ships; each must exist.
var dashboardFiles = []string{"on-call-load.json", "exceptions.json", "exporter-health.json"}

// builtinVariables are Grafana's global variables, always defined.
var builtinVariables = map[string]bool{
	"__rate_interval": true, "__rate_interval_ms": true, "__interval": true, "__interval_ms": true,
	"__range": true, "__range_s": true, "__range_ms": true, "__from": true, "__to": true,
	"__all": true, "__dashboard": true, "__org": true, "__user": true, "__name": true,
	"__timezone": true,
}

type dashboard struct {
	file string
	raw  map[string]any
}

func loadDashboards(t *testing.T) []dashboard {
	t.Helper()
	var out []dashboard
	for _, f := range dashboardFiles {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatalf("dashboard %s: %v", f, err)
		}
		var raw map[string]any
		if err := json.Unmarshal(b, &raw); err != nil {
			t.Fatalf("dashboard %s is not valid JSON: %v", f, err)
		}
		out = append(out, dashboard{file: f, raw: raw})
	}
	// Every JSON file in the directory is a dashboard and must be in the list above.
	all, err := filepath.Glob("*.json")
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range all {
		if !slices.Contains(dashboardFiles, f) {
			t.Errorf("%s is not listed in dashboardFiles, so nothing checks it", f)
		}
	}
	return out
}

// panels returns every panel of d, including those nested in rows.
func (d dashboard) panels() []map[string]any {
	var out []map[string]any
	var walk func(list []any)
	walk = func(list []any) {
		for _, p := range list {
			m, ok := p.(map[string]any)
			if !ok {
				continue
			}
			out = append(out, m)
			if nested, ok := m["panels"].([]any); ok {
				walk(nested)
			}
		}
	}
	list, _ := d.raw["panels"].([]any)
	walk(list)
	return out
}

func (d dashboard) variables() []map[string]any {
	templating, _ := d.raw["templating"].(map[string]any)
	list, _ := templating["list"].([]any)
	var out []map[string]any
	for _, v := range list {
		if m, ok := v.(map[string]any); ok {
			out = append(out, m)
		}
	}
	return out
}

func targets(p map[string]any) []map[string]any {
	list, _ := p["targets"].([]any)
	var out []map[string]any
	for _, t := range list {
		if m, ok := t.(map[string]any); ok {
			out = append(out, m)
		}
	}
	return out
}

func str(m map[string]any, key string) string {
	s, _ := m[key].(string)
	return s
}

// variableQuery returns the query string of a query variable (a string or {query: ...}).
func variableQuery(v map[string]any) string {
	switch q := v["query"].(type) {
	case string:
		return q
	case map[string]any:
		return str(q, "query")
	}
	return ""
}

// walkStrings calls fn for every string value in v, with a path for messages.
func walkStrings(v any, path string, fn func(path, s string)) {
	switch x := v.(type) {
	case string:
		fn(path, x)
	case map[string]any:
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			walkStrings(x[k], path+"."+k, fn)
		}
	case []any:
		for i, e := range x {
			walkStrings(e, fmt.Sprintf("%s[%d]", path, i), fn)
		}
	}
}

func TestDashboardsUIDsAndPanelIDs(t *testing.T) {
	uids := map[string]string{}
	for _, d := range loadDashboards(t) {
		uid := str(d.raw, "uid")
		if uid == "" {
			t.Errorf("%s: no fixed uid", d.file)
		} else if other, dup := uids[uid]; dup {
			t.Errorf("%s: uid %q already used by %s", d.file, uid, other)
		}
		uids[uid] = d.file
		if str(d.raw, "title") == "" {
			t.Errorf("%s: no title", d.file)
		}
		ids := map[float64]string{}
		for _, p := range d.panels() {
			id, ok := p["id"].(float64)
			if !ok {
				t.Errorf("%s: panel %q has no numeric id", d.file, str(p, "title"))
				continue
			}
			if other, dup := ids[id]; dup {
				t.Errorf("%s: panel id %v used by %q and %q", d.file, id, other, str(p, "title"))
			}
			ids[id] = str(p, "title")
			if puid := str(p, "uid"); puid != "" {
				if other, dup := uids[puid]; dup {
					t.Errorf("%s: panel uid %q already used by %s", d.file, puid, other)
				}
				uids[puid] = d.file
			}
		}
	}
}

func TestDashboardsVariables(t *testing.T) {
	ref := regexp.MustCompile(`\$\{([A-Za-z_][A-Za-z0-9_]*)(?::[^}]*)?\}|\$([A-Za-z_][A-Za-z0-9_]*)|\[\[([A-Za-z_][A-Za-z0-9_]*)(?::[^\]]*)?\]\]`)
	for _, d := range loadDashboards(t) {
		defined := map[string]string{}
		for _, v := range d.variables() {
			defined[str(v, "name")] = str(v, "type")
		}
		for _, want := range []string{"datasource", "job", "instance"} {
			if _, ok := defined[want]; !ok {
				t.Errorf("%s: no %q variable", d.file, want)
			}
		}
		if typ := defined["datasource"]; typ != "datasource" {
			t.Errorf("%s: variable datasource has type %q, want datasource", d.file, typ)
		}
		for _, v := range d.variables() {
			if str(v, "type") == "datasource" && str(v, "query") != "prometheus" {
				t.Errorf("%s: datasource variable %q selects %q, want prometheus", d.file, str(v, "name"), str(v, "query"))
			}
		}
		walkStrings(d.raw, d.file, func(path, s string) {
			for _, m := range ref.FindAllStringSubmatch(s, -1) {
				name := m[1] + m[2] + m[3]
				if builtinVariables[name] {
					continue
				}
				if _, ok := defined[name]; !ok {
					t.Errorf("%s: reference to undefined variable %q in %q", path, name, s)
				}
			}
		})
	}
}

// datasourceRef reports whether ds points at the dashboard's datasource variable.
func datasourceRef(ds any) bool {
	m, ok := ds.(map[string]any)
	if !ok {
		return false
	}
	uid := str(m, "uid")
	return (uid == "${datasource}" || uid == "$datasource") && str(m, "type") == "prometheus"
}

func TestDashboardsDatasources(t *testing.T) {
	for _, d := range loadDashboards(t) {
		for _, v := range d.variables() {
			if str(v, "type") == "query" && !datasourceRef(v["datasource"]) {
				t.Errorf("%s: variable %q does not use the datasource variable: %v", d.file, str(v, "name"), v["datasource"])
			}
		}
		for _, p := range d.panels() {
			title := str(p, "title")
			ts := targets(p)
			if len(ts) > 0 && !datasourceRef(p["datasource"]) {
				t.Errorf("%s: panel %q does not use the datasource variable: %v", d.file, title, p["datasource"])
			}
			if str(p, "type") != "row" && str(p, "type") != "text" && len(ts) == 0 {
				t.Errorf("%s: panel %q has no targets", d.file, title)
			}
			for _, tg := range ts {
				if !datasourceRef(tg["datasource"]) {
					t.Errorf("%s: panel %q target %s does not use the datasource variable: %v", d.file, title, str(tg, "refId"), tg["datasource"])
				}
				if strings.TrimSpace(str(tg, "expr")) == "" {
					t.Errorf("%s: panel %q target %s has no expr", d.file, title, str(tg, "refId"))
				}
			}
		}
	}
}

func TestDashboardsRateInterval(t *testing.T) {
	for _, d := range loadDashboards(t) {
		for _, p := range d.panels() {
			for _, tg := range targets(p) {
				for _, err := range checkRateIntervals(str(tg, "expr")) {
					t.Errorf("%s: panel %q: %v", d.file, str(p, "title"), err)
				}
			}
		}
	}
}

var rangeFunc = regexp.MustCompile(`\b(rate|irate|increase)\s*\(`)

// checkRateIntervals returns an error for each rate, irate or increase in expr whose
// range is not [$__rate_interval].
func checkRateIntervals(expr string) []error {
	var errs []error
	for _, loc := range rangeFunc.FindAllStringSubmatchIndex(expr, -1) {
		fn := expr[loc[2]:loc[3]]
		open := loc[1] - 1
		depth, end := 0, -1
		for i := open; i < len(expr) && end < 0; i++ {
			switch expr[i] {
			case '(':
				depth++
			case ')':
				depth--
				if depth == 0 {
					end = i
				}
			}
		}
		if end < 0 {
			errs = append(errs, fmt.Errorf("unbalanced %s( in %q", fn, expr))
			continue
		}
		args := expr[open+1 : end]
		ranges := regexp.MustCompile(`\[([^\]]*)\]`).FindAllStringSubmatch(args, -1)
		if len(ranges) == 0 {
			errs = append(errs, fmt.Errorf("%s(...) without a range in %q", fn, expr))
		}
		for _, r := range ranges {
			if strings.TrimSpace(r[1]) != "$__rate_interval" {
				errs = append(errs, fmt.Errorf("%s(...) uses [%s], want [$__rate_interval], in %q", fn, r[1], expr))
			}
		}
	}
	return errs
}

func TestCheckRateIntervals(t *testing.T) {
	for expr, bad := range map[string]int{
		`sum(rate(x_total[$__rate_interval]))`:                           0,
		`sum by (a) (increase(x_total{a="b"}[ $__rate_interval ]))`:      0,
		`rate(x_total[5m])`:                                              1,
		`irate(x_total[1m]) + increase(y_total[$__rate_interval])`:       1,
		`hero_source_rate_limit_remaining + log:hero_exceptions:rate5m`:  0,
		`max_over_time(rate(x_total[$__rate_interval])[1h:$__interval])`: 0,
		`rate(x_total)`: 1,
		`sum(rate(x_total[5m])) / sum(rate(y_total[$__rate_interval]))`:      1,
		`increase(x_total[$__interval])`:                                     1,
		`label_replace(rate(x_total[$__rate_interval]), "a", "$1", "b", "")`: 0,
	} {
		if got := len(checkRateIntervals(expr)); got != bad {
			t.Errorf("checkRateIntervals(%q): %d errors, want %d", expr, got, bad)
		}
	}
}

func TestDashboardsUnitsAndDescriptions(t *testing.T) {
	for _, d := range loadDashboards(t) {
		if strings.TrimSpace(str(d.raw, "description")) == "" {
			t.Errorf("%s: dashboard has no description", d.file)
		}
		for _, p := range d.panels() {
			title := str(p, "title")
			if strings.TrimSpace(title) == "" {
				t.Errorf("%s: panel %v has no title", d.file, p["id"])
			}
			if strings.TrimSpace(str(p, "description")) == "" {
				t.Errorf("%s: panel %q has no description", d.file, title)
			}
			if str(p, "type") == "row" {
				continue
			}
			fc, _ := p["fieldConfig"].(map[string]any)
			defaults, _ := fc["defaults"].(map[string]any)
			if strings.TrimSpace(str(defaults, "unit")) == "" {
				t.Errorf("%s: panel %q has no unit (fieldConfig.defaults.unit)", d.file, title)
			}
		}
	}
}

// TestMetricNames checks that every metric name used in the dashboards and in the rules is
// documented in docs/metrics.md or is a recording rule of rules/hero_rules.yml.
func TestMetricNames(t *testing.T) {
	documented := documentedMetrics(t)
	recorded := map[string]bool{}
	rules := ruleExprs(t, filepath.Join("..", "rules", "hero_rules.yml"), recorded)
	rules = append(rules, ruleExprs(t, filepath.Join("..", "rules", "hero_alerts.yml"), nil)...)
	if len(recorded) == 0 {
		t.Fatal("no recording rules found in rules/hero_rules.yml")
	}

	used := map[string][]string{} // metric -> where
	use := func(where, expr string) {
		names := metricNames(expr)
		if len(names) == 0 && !strings.Contains(expr, "time()") && !strings.Contains(expr, "vector(") {
			t.Errorf("%s: no metric name found in %q", where, expr)
		}
		for _, n := range names {
			used[n] = append(used[n], where)
		}
	}
	for _, d := range loadDashboards(t) {
		for _, v := range d.variables() {
			if str(v, "type") == "query" {
				use(fmt.Sprintf("%s: variable %s", d.file, str(v, "name")), labelValuesExpr(variableQuery(v)))
			}
		}
		for _, p := range d.panels() {
			for _, tg := range targets(p) {
				use(fmt.Sprintf("%s: panel %q", d.file, str(p, "title")), str(tg, "expr"))
			}
		}
	}
	for _, r := range rules {
		use(r[0], r[1])
	}
	names := make([]string, 0, len(used))
	for n := range used {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		if !documented[n] && !recorded[n] {
			t.Errorf("metric %q is neither in the metrics documentation nor a recording rule; used in %s", n, strings.Join(used[n], "; "))
		}
	}
	// Every recording rule must be built on documented metrics only (checked above) and be
	// used by a dashboard or an alert; otherwise it is dead weight.
	for r := range recorded {
		if len(used[r]) == 0 {
			t.Errorf("recording rule %s is used by no dashboard and no alert", r)
		}
	}
}

// documentedMetrics parses the metric tables of docs/metrics.md: rows that start with
// "| `hero_" list one or more metric names in backticks in their first column.
func documentedMetrics(t *testing.T) map[string]bool {
	t.Helper()
	path := filepath.Join("..", "docs", "metrics.md")
	f, err := os.Open(path)
	if err != nil {
		t.Fatalf("cannot read the metric documentation (%v); docs/metrics.md must list every hero_ metric in a table "+
			"whose rows start with \"| `hero_...\"", err)
	}
	defer f.Close()
	names := map[string]bool{}
	name := regexp.MustCompile("`(hero_[a-zA-Z0-9_]+)`")
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if !strings.HasPrefix(line, "| `hero_") {
			continue
		}
		first := strings.SplitN(strings.TrimPrefix(line, "|"), "|", 2)[0]
		for _, m := range name.FindAllStringSubmatch(first, -1) {
			names[m[1]] = true
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	if len(names) == 0 {
		t.Fatalf("%s lists no metrics (no table rows starting with \"| `hero_\")", path)
	}
	return names
}

type ruleFile struct {
	Groups []struct {
		Name  string `yaml:"name"`
		Rules []struct {
			Record string `yaml:"record"`
			Alert  string `yaml:"alert"`
			Expr   string `yaml:"expr"`
		} `yaml:"rules"`
	} `yaml:"groups"`
}

// ruleExprs returns [where, expr] for each rule in path and adds recording rule names to
// recorded when it is not nil.
func ruleExprs(t *testing.T, path string, recorded map[string]bool) [][2]string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var rf ruleFile
	if err := yaml.Unmarshal(b, &rf); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	var out [][2]string
	for _, g := range rf.Groups {
		for _, r := range g.Rules {
			name := r.Record + r.Alert
			out = append(out, [2]string{path + ": " + name, r.Expr})
			if r.Record != "" && recorded != nil {
				recorded[r.Record] = true
			}
		}
	}
	return out
}

// labelValuesExpr turns a Grafana variable query label_values(expr, label) into expr.
func labelValuesExpr(q string) string {
	q = strings.TrimSpace(q)
	if !strings.HasPrefix(q, "label_values(") || !strings.HasSuffix(q, ")") {
		return q
	}
	inner := strings.TrimSuffix(strings.TrimPrefix(q, "label_values("), ")")
	if i := strings.LastIndex(inner, ","); i >= 0 {
		return inner[:i]
	}
	return "" // label_values(label): no metric
}

var (
	stringLit = regexp.MustCompile(`"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|` + "`[^`]*`")
	braces    = regexp.MustCompile(`\{[^}]*\}`)
	brackets  = regexp.MustCompile(`\[[^\]]*\]`)
	grouping  = regexp.MustCompile(`\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)`)
	token     = regexp.MustCompile(`[0-9][0-9A-Za-z_.]*|[A-Za-z_:][A-Za-z0-9_:]*(\s*\()?`)
	keywords  = map[string]bool{
		"and": true, "or": true, "unless": true, "by": true, "without": true, "on": true,
		"ignoring": true, "group_left": true, "group_right": true, "offset": true, "bool": true,
		"inf": true, "nan": true, "atan2": true, "start": true, "end": true,
	}
)

// metricNames returns the metric names a PromQL expression selects: identifiers that are not
// functions, aggregations, keywords, numbers, label names or strings.
func metricNames(expr string) []string {
	s := stringLit.ReplaceAllString(expr, `""`)
	s = braces.ReplaceAllString(s, "{}")
	s = brackets.ReplaceAllString(s, "[]")
	s = grouping.ReplaceAllString(s, " ")
	seen := map[string]bool{}
	var out []string
	for _, m := range token.FindAllStringSubmatch(s, -1) {
		tok := m[0]
		if m[1] != "" || tok[0] >= '0' && tok[0] <= '9' || keywords[strings.ToLower(tok)] {
			continue // a function call, a number or duration, or a keyword
		}
		if !seen[tok] {
			seen[tok] = true
			out = append(out, tok)
		}
	}
	return out
}

func TestMetricNamesParser(t *testing.T) {
	for expr, want := range map[string]string{
		`sum by (team) (rate(hero_a_total{job=~"$job",x="y z"}[$__rate_interval]))`:                      "hero_a_total",
		`max by (team) (a:hero_b:sum{w="7d"}) or 0 * max by (team) (hero_c{w="7d"})`:                     "a:hero_b:sum hero_c",
		`topk(20, x) * on (log, fingerprint) group_left (type, location) max by (log, type) (hero_info)`: "x hero_info",
		`time() - hero_ts offset 5m > 3600`:                                                              "hero_ts",
		`absent(hero_build_info{job="hero_exporter"})`:                                                   "hero_build_info",
		`hero_x{window="7d"} / ignoring (window) hero_x{window="28d"}`:                                   "hero_x",
		`label_replace(hero_y, "dst", "$1", "src", "(.*)")`:                                              "hero_y",
		`sum(hero_z) without (instance) > bool 1e3`:                                                      "hero_z",
		labelValuesExpr(`label_values(hero_team_responders{job=~"$job"}, team)`):                         "hero_team_responders",
		`hero_p > 0.5 and on (job, instance, team, window) hero_q >= 3 unless hero_r`:                    "hero_p hero_q hero_r",
	} {
		if got := strings.Join(metricNames(expr), " "); got != want {
			t.Errorf("metricNames(%q) = %q, want %q", expr, got, want)
		}
	}
}

// The rules below are those of Grafana's dashboard linter (github.com/grafana/dashboard-linter)
// that the checks above do not cover: uneditable dashboards, the job and instance template
// variables, reload on time range change, job and instance matchers in every selector,
// counters only under rate/irate/increase, and units the linter knows.

func TestDashboardsNotEditable(t *testing.T) {
	for _, d := range loadDashboards(t) {
		if e, ok := d.raw["editable"].(bool); !ok || e {
			t.Errorf("%s: editable is %v, want false (dashboards are provisioned; edit mixin/)", d.file, d.raw["editable"])
		}
	}
}

// TestDashboardsJobInstanceTemplates is the linter's template-job-rule and
// template-instance-rule plus template-on-time-change-reload-rule.
func TestDashboardsJobInstanceTemplates(t *testing.T) {
	for _, d := range loadDashboards(t) {
		for _, name := range []string{"job", "instance"} {
			var v map[string]any
			for _, x := range d.variables() {
				if str(x, "name") == name {
					v = x
				}
			}
			if v == nil {
				t.Errorf("%s: no %s variable", d.file, name)
				continue
			}
			if str(v, "type") != "query" {
				t.Errorf("%s: %s variable has type %q, want query", d.file, name, str(v, "type"))
			}
			if want := strings.ToUpper(name[:1]) + name[1:]; str(v, "label") != want {
				t.Errorf("%s: %s variable is labelled %q, want %q", d.file, name, str(v, "label"), want)
			}
			if m, _ := v["multi"].(bool); !m {
				t.Errorf("%s: %s variable is not multi-select", d.file, name)
			}
			if str(v, "allValue") != ".+" {
				t.Errorf("%s: %s variable allValue %q, want \".+\"", d.file, name, str(v, "allValue"))
			}
		}
		for _, v := range d.variables() {
			if str(v, "type") == "query" && v["refresh"] != float64(2) {
				t.Errorf("%s: variable %s refresh %v, want 2 (on time range change)", d.file, str(v, "name"), v["refresh"])
			}
		}
	}
}

// TestDashboardsTargetMatchers is the linter's target-job-rule and target-instance-rule:
// every series selector in a panel query carries job=~"$job" and instance=~"$instance".
func TestDashboardsTargetMatchers(t *testing.T) {
	for _, d := range loadDashboards(t) {
		for _, p := range d.panels() {
			for _, tg := range targets(p) {
				expr := str(tg, "expr")
				sels := selectors(expr)
				if len(sels) == 0 && !strings.Contains(expr, "vector(") {
					t.Errorf("%s: panel %q: no series selector in %q", d.file, str(p, "title"), expr)
				}
				for _, s := range sels {
					for _, m := range []string{`job=~"$job"`, `instance=~"$instance"`} {
						if !slices.Contains(s.matchers, m) {
							t.Errorf("%s: panel %q: selector %s%s lacks %s", d.file, str(p, "title"), s.name, "{"+strings.Join(s.matchers, ",")+"}", m)
						}
					}
				}
			}
		}
	}
}

// TestDashboardsCounters is the linter's target-counter-agg-rule: a counter (_total) is
// only read through rate, irate or increase over a range.
func TestDashboardsCounters(t *testing.T) {
	counterUse := regexp.MustCompile(`\b(rate|irate|increase)\s*\(\s*$`)
	for _, d := range loadDashboards(t) {
		for _, p := range d.panels() {
			for _, tg := range targets(p) {
				expr := str(tg, "expr")
				for _, s := range selectors(expr) {
					if !strings.HasSuffix(s.name, "_total") {
						continue
					}
					after := expr[s.end:]
					if !counterUse.MatchString(expr[:s.start]) || !regexp.MustCompile(`^\s*\[[^\]]+\]\s*\)`).MatchString(after) {
						t.Errorf("%s: panel %q: counter %s is not read with rate/irate/increase over a range: %s", d.file, str(p, "title"), s.name, expr)
					}
				}
			}
		}
	}
}

// linterUnits are the units of Grafana's unit picker the linter's panel-units-rule
// accepts and these dashboards may use (extend from Grafana's valueFormats categories).
var linterUnits = map[string]bool{
	"none": true, "short": true, "percent": true, "percentunit": true, "s": true, "ms": true,
	"m": true, "h": true, "d": true, "dtdurations": true, "bytes": true, "decbytes": true,
	"Bps": true, "binBps": true, "cps": true, "ops": true, "reqps": true, "rps": true,
	"cpm": true, "opm": true, "rpm": true, "bool": true, "string": true, "dateTimeAsIso": true,
	"dateTimeFromNow": true,
}

func TestDashboardsUnitsKnown(t *testing.T) {
	for _, d := range loadDashboards(t) {
		for _, p := range d.panels() {
			switch str(p, "type") {
			case "stat", "graph", "table", "timeseries", "gauge", "bargauge":
			default:
				continue
			}
			fc, _ := p["fieldConfig"].(map[string]any)
			defaults, _ := fc["defaults"].(map[string]any)
			if u := str(defaults, "unit"); !linterUnits[u] {
				t.Errorf("%s: panel %q: unit %q is not a Grafana unit the linter accepts", d.file, str(p, "title"), u)
			}
		}
	}
}

// selector is one series selector in a PromQL expression: the metric name, its matchers
// (whitespace removed) and its position.
type selector struct {
	name       string
	matchers   []string
	start, end int
}

var (
	identAt  = regexp.MustCompile(`[A-Za-z_:][A-Za-z0-9_:]*`)
	matcherR = regexp.MustCompile(`([A-Za-z_][A-Za-z0-9_]*)\s*(=~|!~|!=|=)\s*("(?:[^"\\]|\\.)*")`)
)

// selectors finds the series selectors of expr: identifiers that are not keywords,
// functions, aggregations or label names in grouping clauses, and the {...} after them.
func selectors(expr string) []selector {
	var out []selector
	i := 0
	for i < len(expr) {
		c := expr[i]
		switch {
		case c == '"' || c == '\'' || c == '`':
			j := i + 1
			for j < len(expr) && expr[j] != c {
				if expr[j] == '\\' {
					j++
				}
				j++
			}
			i = j + 1
			continue
		case c == '[':
			j := strings.IndexByte(expr[i:], ']')
			if j < 0 {
				return out
			}
			i += j + 1
			continue
		case c == '{':
			// A selector without a metric name.
			j := closingBrace(expr, i)
			if j < 0 {
				return out
			}
			out = append(out, selector{matchers: matchers(expr[i : j+1]), start: i, end: j + 1})
			i = j + 1
			continue
		}
		if (c >= '0' && c <= '9') || c == '.' {
			for i < len(expr) && (isWord(expr[i]) || expr[i] == '.') {
				i++
			}
			continue
		}
		loc := identAt.FindStringIndex(expr[i:])
		if loc == nil || loc[0] != 0 {
			i++
			continue
		}
		word := expr[i : i+loc[1]]
		start, j := i, i+loc[1]
		for j < len(expr) && expr[j] == ' ' {
			j++
		}
		switch {
		case grouping.MatchString(expr[i:]) && strings.HasPrefix(grouping.FindString(expr[i:]), word):
			i += len(grouping.FindString(expr[i:]))
			continue
		case keywords[strings.ToLower(word)], aggregations[word]:
		case j < len(expr) && expr[j] == '(':
			// A function or aggregation.
		case j < len(expr) && expr[j] == '{':
			k := closingBrace(expr, j)
			if k < 0 {
				return out
			}
			out = append(out, selector{name: word, matchers: matchers(expr[j : k+1]), start: start, end: k + 1})
			i = k + 1
			continue
		default:
			out = append(out, selector{name: word, start: start, end: start + len(word)})
		}
		i = start + len(word)
	}
	return out
}

// aggregations are PromQL's aggregation operators; "sum by (x) (...)" puts the grouping
// between the name and its parenthesis.
var aggregations = map[string]bool{
	"sum": true, "min": true, "max": true, "avg": true, "group": true, "stddev": true,
	"stdvar": true, "count": true, "count_values": true, "bottomk": true, "topk": true,
	"quantile": true, "limitk": true, "limit_ratio": true,
}

// closingBrace returns the index of the } that closes the { at open, skipping quoted
// strings, or -1.
func closingBrace(expr string, open int) int {
	for i := open + 1; i < len(expr); i++ {
		switch expr[i] {
		case '"', '\'', '`':
			q := expr[i]
			for i++; i < len(expr) && expr[i] != q; i++ {
				if expr[i] == '\\' {
					i++
				}
			}
		case '}':
			return i
		}
	}
	return -1
}

func isWord(c byte) bool {
	return c == '_' || c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
}

func matchers(braces string) []string {
	var out []string
	for _, m := range matcherR.FindAllStringSubmatch(braces, -1) {
		out = append(out, m[1]+m[2]+m[3])
	}
	return out
}

func TestSelectorsParser(t *testing.T) {
	for expr, want := range map[string]string{
		`sum by (log) (rate(a_total{job=~"$job", instance=~"$instance",log="x"}[5m]))`: `a_total{job=~"$job",instance=~"$instance",log="x"}`,
		`max by (team) (x{job="a"}) or 0 * max by (team) (y)`:                          `x{job="a"} y{}`,
		`topk(20, b) * on (log, fingerprint) group_left (type) c{a="}"}`:               `b{} c{a="}"}`,
		`time() - d offset 5m > 3600 and e{} unless bool 1e3`:                          `d{} e{}`,
		`label_replace(f{x="y"}, "dst", "$1", "src", "(.*)")`:                          `f{x="y"}`,
		`sum(g) without (instance)`:                                                    `g{}`,
		`{__name__="h",job="j"}`:                                                       `{__name__="h",job="j"}`,
	} {
		var got []string
		for _, s := range selectors(expr) {
			got = append(got, s.name+"{"+strings.Join(s.matchers, ",")+"}")
		}
		if strings.Join(got, " ") != want {
			t.Errorf("selectors(%q) = %q, want %q", expr, strings.Join(got, " "), want)
		}
	}
}

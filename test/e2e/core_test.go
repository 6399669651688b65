//go:build unix

package e2e

import (
	"bufio"
	"bytes"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"
)

var update = flag.Bool("update", false, "rewrite testdata/*.golden from the exporter's output")

// fixedNow is the analytics clock of the file-source scenario (a Wednesday).
const fixedNow = "2026-11-18T12:00:00Z"

var (
	buildOnce sync.Once
	buildDir  string
	buildBin  string
	buildErr  error
)

// exporterBinary builds ./cmd/hero_exporter once per test process.
func exporterBinary(t *testing.T) string {
	t.Helper()
	goTool := needTool(t, "go")
	buildOnce.Do(func() {
		buildDir, buildErr = os.MkdirTemp("", "hero-e2e-bin-")
		if buildErr != nil {
			return
		}
		buildBin = filepath.Join(buildDir, "hero_exporter")
		cmd := exec.Command(goTool, "build", "-o", buildBin, "./cmd/hero_exporter")
		cmd.Dir = filepath.Join("..", "..")
		if out, err := cmd.CombinedOutput(); err != nil {
			buildErr = fmt.Errorf("go build ./cmd/hero_exporter: %v\n%s", err, out)
		}
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	return buildBin
}

func TestMain(m *testing.M) {
	flag.Parse()
	code := m.Run()
	if buildDir != "" {
		os.RemoveAll(buildDir)
	}
	os.Exit(code)
}

// volatile metrics change from run to run (durations, build details, runtime).
func volatile(name string) bool {
	switch {
	case strings.HasPrefix(name, "go_"), strings.HasPrefix(name, "process_"), strings.HasPrefix(name, "promhttp_"),
		name == "hero_exporter_build_info", name == "hero_scrape_collector_duration_seconds",
		name == "hero_source_sync_duration_seconds", name == "hero_source_last_success_timestamp_seconds",
		name == "hero_exporter_config_last_reload_success_timestamp_seconds", name == "hero_store_size_bytes":
		return true
	}
	return false
}

// stableLines returns the sample lines of /metrics minus volatile families, sorted.
func stableLines(body string) []string {
	var out []string
	sc := bufio.NewScanner(strings.NewReader(body))
	for sc.Scan() {
		l := sc.Text()
		if l == "" || strings.HasPrefix(l, "#") {
			continue
		}
		name := l
		if i := strings.IndexAny(l, "{ "); i >= 0 {
			name = l[:i]
		}
		if !volatile(name) {
			out = append(out, l)
		}
	}
	sort.Strings(out)
	return out
}

func fetch(t *testing.T, u string) string {
	t.Helper()
	resp, err := http.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: HTTP %d\n%s", u, resp.StatusCode, b)
	}
	return string(b)
}

func startFileScenario(t *testing.T, dir, historyPath string) (string, *process) {
	t.Helper()
	cfg := fmt.Sprintf("sources:\n  - name: hist\n    type: file\n    path: %q\n    refresh_interval: 1s\n", historyPath)
	cfgPath := filepath.Join(dir, "hero.yml")
	if err := os.WriteFile(cfgPath, []byte(cfg), 0o644); err != nil {
		t.Fatal(err)
	}
	addr := freeAddr(t)
	p := start(t, dir, "hero_exporter", exporterBinary(t), "--config.file="+cfgPath, "--web.listen-address="+addr,
		"--storage.path="+filepath.Join(dir, "store"), "--debug.now="+fixedNow, "--log.level=debug")
	waitReady(t, "http://"+addr+"/-/ready", 30*time.Second)
	return addr, p
}

// TestFileSourceGoldenAndRestart runs the binary on the hand-computed scenario of
// testdata/history.ndjson, compares /metrics with the golden file, checks it with
// promtool, then restarts on the same store with the file gone and expects the same
// incident figures without any source.
func TestFileSourceGoldenAndRestart(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and starts hero_exporter; skipped in -short mode")
	}
	promtool := needTool(t, "promtool")
	dir := t.TempDir()
	history := filepath.Join(dir, "history.ndjson")
	src, err := os.ReadFile(filepath.Join("testdata", "history.ndjson"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(history, src, 0o644); err != nil {
		t.Fatal(err)
	}

	first := filepath.Join(dir, "first")
	if err := os.Mkdir(first, 0o755); err != nil {
		t.Fatal(err)
	}
	addr, firstProc := startFileScenario(t, first, history)
	var body string
	waitFor(t, 30*time.Second, "the file source's first sync", func() error {
		body = fetch(t, "http://"+addr+"/metrics")
		if !strings.Contains(body, `hero_source_up{source="hist",type="file"} 1`) ||
			!strings.Contains(body, `hero_incidents_created_total{severity="critical",source="hist",team="payments"} 2`) {
			return fmt.Errorf("not synced yet")
		}
		return nil
	})

	// promtool check metrics: the exposition is valid and follows the conventions.
	check := exec.Command(promtool, "check", "metrics")
	check.Stdin = strings.NewReader(body)
	if out, err := check.CombinedOutput(); err != nil {
		t.Fatalf("promtool check metrics: %v\n%s", err, out)
	}

	got := stableLines(body)
	golden := filepath.Join("testdata", "file_source.golden")
	if *update {
		if err := os.WriteFile(golden, []byte(strings.Join(got, "\n")+"\n"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	wantBytes, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (run with -update to create it)", err)
	}
	want := strings.Split(strings.TrimSpace(string(wantBytes)), "\n")
	if d := diffLines(want, got); d != "" {
		t.Fatalf("/metrics differs from %s (-want +got):\n%s", golden, d)
	}

	// The golden file is only as good as its numbers: the key ones, by hand (see the
	// comments in handComputed).
	for _, line := range handComputed {
		if !contains(got, line) {
			t.Errorf("hand-computed sample missing or different: %s", line)
		}
	}

	// Restart on the same store with the source file gone: the same figures, served
	// from the store alone. The first exporter is stopped first, as in a real restart.
	firstProc.stop()
	if err := os.Remove(history); err != nil {
		t.Fatal(err)
	}
	second := filepath.Join(dir, "second")
	if err := os.Mkdir(second, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(filepath.Join(first, "store"), filepath.Join(second, "store")); err != nil {
		t.Fatal(err)
	}
	addr2, _ := startFileScenario(t, second, history)
	body2 := fetch(t, "http://"+addr2+"/metrics")
	incidentFigures := func(lines []string) []string {
		var out []string
		for _, l := range lines {
			if strings.HasPrefix(l, "hero_incident") || strings.HasPrefix(l, "hero_responder_") || strings.HasPrefix(l, "hero_team_") {
				out = append(out, l)
			}
		}
		return out
	}
	if d := diffLines(incidentFigures(got), incidentFigures(stableLines(body2))); d != "" {
		t.Fatalf("after restart without the source file, figures differ (-before +after):\n%s", d)
	}
	waitFor(t, 30*time.Second, "the missing file to mark the source down", func() error {
		if !strings.Contains(fetch(t, "http://"+addr2+"/metrics"), `hero_source_up{source="hist",type="file"} 0`) {
			return fmt.Errorf("source not down yet")
		}
		return nil
	})
}

// handComputed are samples worked out by hand from testdata/history.ndjson with the
// clock at 2026-11-18T12:00Z; 7d = (11-11 12:00, 11-18 12:00], 28d adds i4 (10-30).
var handComputed = []string{
	// Payments 7d: Ana engaged i1, i2; Ben engaged i2 (note), i3 → 2 + 2; Dee idle on the roster.
	`hero_responder_incidents{person="Ana",team="payments",window="7d"} 2`,
	`hero_responder_load_ratio{person="Ana",team="payments",window="7d"} 0.5`,
	`hero_responder_load_ratio{person="Dee",team="payments",window="7d"} 0`,
	// 28d adds i4 (Ana): 3 of 5.
	`hero_responder_load_ratio{person="Ana",team="payments",window="28d"} 0.6`,
	`hero_team_load_top_ratio{team="payments",window="28d"} 0.6`,
	`hero_team_bus_factor{team="payments",window="7d"} 1`,
	// Gini over {2, 2, 0}: Σ|xi−xj| = 8, 2·n²·mean = 2·9·4/3 = 24 → 1/3.
	`hero_team_load_gini{team="payments",window="7d"} 0.3333333333333333`,
	// Gini over {3, 2, 0}: 12 / (2·9·5/3 = 30) = 0.4.
	`hero_team_load_gini{team="payments",window="28d"} 0.4`,
	`hero_team_responders{team="payments",window="7d"} 2`,
	// MTTA 7d: i1 300 s, i2 600 s, i3 60 s → 320; 28d adds i4 1800 → 690.
	`hero_incident_mtta_seconds{team="payments",window="7d"} 320`,
	`hero_incident_mtta_seconds{team="payments",window="28d"} 690`,
	// MTTR 7d: 3600, 2400, 3600 → 3200; p50 rank ⌈1.5⌉=2 → 3600; 28d adds 7200 → 4200, p90 rank 4 → 7200.
	`hero_incident_mttr_seconds{team="payments",window="7d"} 3200`,
	`hero_incident_resolve_p50_seconds{team="payments",window="7d"} 3600`,
	`hero_incident_mttr_seconds{team="payments",window="28d"} 4200`,
	`hero_incident_resolve_p90_seconds{team="payments",window="28d"} 7200`,
	// Unassigned i7: never acknowledged (no MTTA series), resolved in 600 s.
	`hero_incident_mttr_seconds{team="unassigned",window="7d"} 600`,
	// Ana's pages: i1 phone 02:00:10Z = 03:00 Berlin (sleep), the push 30 s later is
	// de-duplicated, the email never counts; i2 15:00 Mon and i5 12:00 Wed (business).
	`hero_responder_interruptions{period="sleep",person="Ana",team="payments",window="7d"} 1`,
	`hero_responder_interruptions{period="business",person="Ana",team="payments",window="7d"} 2`,
	// 28d adds i4's page at 11:00 Fri Berlin (after the October DST change, UTC+1).
	`hero_responder_interruptions{period="business",person="Ana",team="payments",window="28d"} 3`,
	// Ben's sms at 15:00 Thu New York (business).
	`hero_responder_interruptions{period="business",person="Ben",team="payments",window="7d"} 1`,
	// Engaged: Ana i1 02:05–03:00Z = 3300 s of sleep; i2 14:10–14:40Z = 1800 s business.
	`hero_responder_engaged_seconds{period="sleep",person="Ana",team="payments",window="7d"} 3300`,
	`hero_responder_engaged_seconds{period="business",person="Ana",team="payments",window="7d"} 1800`,
	// Ben: i2 note 14:20–14:40Z = 1200 s + i3 20:01–21:00Z = 3540 s, all New York business hours.
	`hero_responder_engaged_seconds{period="business",person="Ben",team="payments",window="7d"} 4740`,
	// Cy (no zone → UTC) i6 23:35 Sun → 00:30 Mon, across midnight, all sleep.
	`hero_responder_engaged_seconds{period="sleep",person="Cy",team="search",window="7d"} 3300`,
	// Off-rotation: Ana i1 (Ben on call), Ben i2 and i3 (Ana on call); 28d adds Ana i4 (nobody on call).
	`hero_responder_offrotation_incidents{person="Ana",team="payments",window="7d"} 1`,
	`hero_responder_offrotation_incidents{person="Ben",team="payments",window="7d"} 2`,
	`hero_responder_offrotation_incidents{person="Ana",team="payments",window="28d"} 2`,
	`hero_responder_offrotation_incidents{person="Cy",team="search",window="7d"} 0`,
	// Recurrences: i2 repeats i3's key; i5's masked title repeats i1's.
	`hero_incident_recurrences{service="checkout",team="payments",window="7d"} 2`,
	// Solo long: i1 and i3 in 7d, plus i4 in 28d; search i6.
	`hero_incidents_solo_long{team="payments",window="7d"} 2`,
	`hero_incidents_solo_long{team="payments",window="28d"} 3`,
	`hero_incidents_solo_long{team="search",window="7d"} 1`,
	// i5 open for an hour, nobody engaged.
	`hero_incidents_open{service="checkout",severity="critical",source="hist",team="payments"} 1`,
	`hero_incidents_open_solo{source="hist",team="payments"} 1`,
	`hero_incidents{service="checkout",severity="low",source="hist",team="payments",window="7d"} 0`,
	`hero_incidents{service="checkout",severity="low",source="hist",team="payments",window="28d"} 1`,
	`hero_incidents{service="unknown",severity="unknown",source="hist",team="unassigned",window="7d"} 1`,
	`hero_incidents_created_total{severity="high",source="hist",team="payments"} 2`,
}

func contains(lines []string, l string) bool {
	for _, x := range lines {
		if x == l {
			return true
		}
	}
	return false
}

// diffLines lists lines only in want (-) or only in got (+).
func diffLines(want, got []string) string {
	w, g := map[string]bool{}, map[string]bool{}
	for _, l := range want {
		w[l] = true
	}
	for _, l := range got {
		g[l] = true
	}
	var b bytes.Buffer
	for _, l := range want {
		if !g[l] {
			fmt.Fprintf(&b, "- %s\n", l)
		}
	}
	for _, l := range got {
		if !w[l] {
			fmt.Fprintf(&b, "+ %s\n", l)
		}
	}
	return b.String()
}

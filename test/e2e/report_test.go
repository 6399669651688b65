//go:build unix

package e2e

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"golang.org/x/crypto/bcrypt"

	"github.com/hero-exporter/hero_exporter/internal/report"
	"github.com/hero-exporter/hero_exporter/internal/store"
)

// screenshotDir is where TestReportPageInBrowser saves its screenshots: outside the
// repository, kept after the test (HERO_SCREENSHOT_DIR overrides it).
func screenshotDir(t *testing.T) string {
	dir := os.Getenv("HERO_SCREENSHOT_DIR")
	if dir == "" {
		dir = filepath.Join(os.TempDir(), "hero-report-screenshots")
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	return dir
}

// authGet fetches u with basic auth and returns the status and body.
func authGet(u, user, pass string) (int, string, error) {
	req, err := http.NewRequest(http.MethodGet, u, nil)
	if err != nil {
		return 0, "", err
	}
	if user != "" {
		req.SetBasicAuth(user, pass)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, "", err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b), err
}

var teamLine = regexp.MustCompile(`(?m)^hero_team_bus_factor\{team="([^"]+)",window="28d"\} `)

// TestReportPageInBrowser runs the demo behind basic auth and loads /report in a real
// headless Chromium, at wall size (?wall=1, 1920×1080) and laptop size (1366×768): no
// console error, no failed request, no request but the page itself, every team of
// /metrics with its load bars and progress section, no horizontal scrolling. The
// screenshots are saved outside the repository (path in the test log).
func TestReportPageInBrowser(t *testing.T) {
	if testing.Short() {
		t.Skip("starts hero_exporter and Chromium; skipped in -short mode")
	}
	chromium := needTool(t, "chromium")
	dir := t.TempDir()
	hash, err := bcrypt.GenerateFromPassword([]byte("s3cret"), bcrypt.MinCost)
	if err != nil {
		t.Fatal(err)
	}
	webCfg := filepath.Join(dir, "web.yml")
	if err := os.WriteFile(webCfg, []byte("basic_auth_users:\n  lead: "+string(hash)+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	addr := freeAddr(t)
	base := "http://" + addr
	start(t, dir, "hero_exporter", exporterBinary(t), "--demo", "--web.config.file="+webCfg,
		"--web.listen-address="+addr, "--storage.path="+filepath.Join(dir, "store"))

	// The demo's first sync back-fills 90 days; wait until its teams are computed.
	var teams []string
	waitFor(t, 90*time.Second, "the demo's team figures", func() error {
		code, body, err := authGet(base+"/metrics", "lead", "s3cret")
		if err != nil {
			return err
		}
		if code != http.StatusOK {
			return fmt.Errorf("HTTP %d", code)
		}
		if !strings.Contains(body, `hero_source_up{source="demo",type="demo"} 1`) {
			return errors.New("demo source not synced yet")
		}
		teams = teams[:0]
		for _, m := range teamLine.FindAllStringSubmatch(body, -1) {
			teams = append(teams, m[1])
		}
		if len(teams) == 0 {
			return errors.New("no team figures yet")
		}
		return nil
	})
	// The page needs credentials like every other path.
	if code, _, err := authGet(base+"/report", "", ""); err != nil || code != http.StatusUnauthorized {
		t.Fatalf("/report without credentials: HTTP %d %v, want 401", code, err)
	}
	if code, body, _ := authGet(base+"/report?window=5w", "lead", "s3cret"); code != http.StatusBadRequest || !strings.Contains(body, `unknown window "5w"; known: 7d, 28d`) {
		t.Fatalf("/report?window=5w: HTTP %d %q, want 400 naming the windows", code, body)
	}
	if _, body, _ := authGet(base+"/", "lead", "s3cret"); !strings.Contains(body, `href="/report"`) {
		t.Fatalf("the landing page does not link /report:\n%s", body)
	}

	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	b := startBrowser(t, chromium, t.TempDir())
	p, err := b.newPage(ctx)
	if err != nil {
		t.Fatal(err)
	}
	auth := "Basic " + base64.StdEncoding.EncodeToString([]byte("lead:s3cret"))
	if err := p.call(ctx, "Network.setExtraHTTPHeaders", map[string]any{"headers": map[string]string{"Authorization": auth}}, nil); err != nil {
		t.Fatal(err)
	}
	shots := screenshotDir(t)
	for _, v := range []struct {
		name, query string
		w, h        int
	}{
		{"wall-1920x1080", "?wall=1", 1920, 1080},
		{"laptop-1366x768", "", 1366, 768},
	} {
		res, err := p.navigate(ctx, base+"/report"+v.query, v.w, v.h)
		if err != nil {
			t.Fatal(err)
		}
		if len(res.Errors) > 0 {
			t.Errorf("%s: console errors:\n%s", v.name, strings.Join(res.Errors, "\n"))
		}
		if len(res.Failed) > 0 {
			t.Errorf("%s: failed requests:\n%s", v.name, strings.Join(res.Failed, "\n"))
		}
		if res.Requests != 1 {
			t.Errorf("%s: %d requests; the page must need nothing but itself", v.name, res.Requests)
		}
		dom, err := p.dom(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, team := range teams {
			for _, want := range []string{`id="team-` + team + `"`} {
				if !strings.Contains(dom, want) {
					t.Errorf("%s: the DOM lacks %s", v.name, want)
				}
			}
			var n struct{ Bars, Progress, Pages int }
			sel := `#team-` + team
			if err := p.eval(ctx, fmt.Sprintf(`({Bars: document.querySelectorAll(%[1]q + " .load-bar").length,
				Progress: document.querySelectorAll(%[1]q + " .progress").length,
				Pages: document.querySelectorAll(%[1]q + " .page-bar").length})`, sel), &n); err != nil {
				t.Fatal(err)
			}
			if n.Bars == 0 || n.Progress != 1 || n.Pages == 0 {
				t.Errorf("%s: team %s has %d load bars, %d progress sections, %d page bars", v.name, team, n.Bars, n.Progress, n.Pages)
			}
		}
		for _, want := range []string{`id="exceptions"`, `data-log="demo-app"`, `<h3>Progress against the previous 28d</h3>`} {
			if !strings.Contains(dom, want) {
				t.Errorf("%s: the DOM lacks %s", v.name, want)
			}
		}
		if wall := strings.Contains(dom, `<body class="wall">`) && strings.Contains(dom, `http-equiv="refresh"`); wall != (v.query != "") {
			t.Errorf("%s: wall view %v", v.name, wall)
		}
		var fits bool
		if err := p.eval(ctx, `document.documentElement.scrollWidth <= window.innerWidth`, &fits); err != nil {
			t.Fatal(err)
		}
		if !fits {
			t.Errorf("%s: the page scrolls sideways", v.name)
		}
		for _, full := range []bool{false, true} {
			name := v.name + ".png"
			if full {
				name = v.name + "-full.png"
			}
			if err := p.screenshot(ctx, filepath.Join(shots, name), full); err != nil {
				t.Fatal(err)
			}
		}
	}
	t.Logf("screenshots of /report in %s", shots)
}

// runReport runs `hero_exporter report` and returns its exit code, stdout and stderr.
func runReport(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	cmd := exec.Command(exporterBinary(t), append([]string{"report"}, args...)...)
	var out, errOut strings.Builder
	cmd.Stdout, cmd.Stderr = &out, &errOut
	err := cmd.Run()
	var ee *exec.ExitError
	switch {
	case err == nil:
		return 0, out.String(), errOut.String()
	case errors.As(err, &ee):
		return ee.ExitCode(), out.String(), errOut.String()
	}
	t.Fatal(err)
	return 0, "", ""
}

// metricValue returns the value of one sample line of /metrics.
func metricValue(t *testing.T, lines []string, series string) float64 {
	t.Helper()
	for _, l := range lines {
		if v, ok := strings.CutPrefix(l, series+" "); ok {
			f, err := strconv.ParseFloat(v, 64)
			if err != nil {
				t.Fatal(err)
			}
			return f
		}
	}
	t.Fatalf("no sample %s", series)
	return 0
}

// TestReportSubcommand: the report of a stopped exporter's store, offline, has the
// figures /metrics served from that store, in every format.
func TestReportSubcommand(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and starts hero_exporter; skipped in -short mode")
	}
	dir := t.TempDir()
	history := filepath.Join(dir, "history.ndjson")
	src, err := os.ReadFile(filepath.Join("testdata", "history.ndjson"))
	if err != nil {
		t.Fatal(err)
	}
	os.WriteFile(history, src, 0o644)
	addr, proc := startFileScenario(t, dir, history)
	var body string
	waitFor(t, 30*time.Second, "the file source's first sync", func() error {
		body = fetch(t, "http://"+addr+"/metrics")
		if !strings.Contains(body, `hero_source_up{source="hist",type="file"} 1`) || !strings.Contains(body, `hero_team_bus_factor{team="payments"`) {
			return errors.New("not synced yet")
		}
		return nil
	})
	page := fetch(t, "http://"+addr+"/report?team=payments&window=7d")
	proc.stop()
	metrics := stableLines(body)
	// /report of the running exporter: Ana and Ben share 7d equally (2 + 2, see handComputed).
	for _, want := range []string{`<div class="bar-row load-bar" data-person="Ana">`, `<title>Ana: 2 incidents, 50 % of the load</title>`} {
		if !strings.Contains(page, want) {
			t.Errorf("/report lacks %s", want)
		}
	}

	args := []string{"--config.file=" + filepath.Join(dir, "hero.yml"), "--storage.path=" + filepath.Join(dir, "store"), "--debug.now=" + fixedNow}
	code, out, errOut := runReport(t, append(args, "--format=json")...)
	if code != 0 {
		t.Fatalf("report --format=json: exit %d\n%s", code, errOut)
	}
	var rep report.Report
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	if rep.Window != "28d" || len(rep.Teams) == 0 {
		t.Fatalf("report: window %q, %d teams", rep.Window, len(rep.Teams))
	}
	for _, tm := range rep.Teams {
		sum := 0.0
		for _, l := range metrics {
			if strings.HasPrefix(l, "hero_incidents{") && strings.Contains(l, `team="`+tm.Name+`"`) && strings.Contains(l, `window="28d"`) {
				v, _ := strconv.ParseFloat(l[strings.LastIndexByte(l, ' ')+1:], 64)
				sum += v
			}
		}
		if float64(tm.Incidents) != sum {
			t.Errorf("team %s: report %d incidents, /metrics %v", tm.Name, tm.Incidents, sum)
		}
		if !tm.HasLoad {
			continue
		}
		lbl := fmt.Sprintf(`{team=%q,window="28d"}`, tm.Name)
		if float64(tm.BusFactor) != metricValue(t, metrics, "hero_team_bus_factor"+lbl) ||
			tm.Gini != metricValue(t, metrics, "hero_team_load_gini"+lbl) ||
			tm.MTTR != metricValue(t, metrics, "hero_incident_mttr_seconds"+lbl) {
			t.Errorf("team %s: report %+v differs from /metrics", tm.Name, tm)
		}
		for _, p := range tm.People {
			pl := fmt.Sprintf(`{person=%q,team=%q,window="28d"}`, p.Label, tm.Name)
			if p.Share != metricValue(t, metrics, "hero_responder_load_ratio"+pl) ||
				float64(p.Pages.Sleep) != metricValue(t, metrics, `hero_responder_interruptions{period="sleep",`+pl[1:]) {
				t.Errorf("%s in %s: report %+v differs from /metrics", p.Label, tm.Name, p)
			}
		}
	}

	code, out, errOut = runReport(t, append(args, "--format=markdown", "--team=payments")...)
	if code != 0 {
		t.Fatalf("report --format=markdown: exit %d\n%s", code, errOut)
	}
	// 28d: Ana 3 of 5 engaged incidents (handComputed); her 3 business pages, 1 sleep page.
	for _, want := range []string{"# On-call load report: last 28d, team payments", "## payments",
		"| Ana | 3 | 60 % | 3 | 0 | 1 |", "Load is concentrated: one person carries 60 %"} {
		if !strings.Contains(out, want) {
			t.Errorf("markdown lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "## search") {
		t.Error("--team=payments printed another team")
	}
	if code, out, errOut = runReport(t, append(args, "--window=7d")...); code != 0 || !strings.Contains(out, "On-call load report: last 7d") {
		t.Fatalf("report --format=table --window=7d: exit %d\n%s%s", code, out, errOut)
	}
	for flag, want := range map[string]string{
		"--window=1y":   `unknown window "1y"; known: 7d, 28d`,
		"--team=nobody": `unknown team "nobody"; known: payments`,
	} {
		if code, _, errOut := runReport(t, append(args, flag)...); code != 2 || !strings.Contains(errOut, want) {
			t.Errorf("report %s: exit %d %q, want 2 and %q", flag, code, errOut, want)
		}
	}
}

// TestReportSubcommandNoStore: a missing store and an empty one exit 2 with a clear
// message, and the missing one is not created.
func TestReportSubcommandNoStore(t *testing.T) {
	if testing.Short() {
		t.Skip("builds hero_exporter; skipped in -short mode")
	}
	dir := t.TempDir()
	missing := filepath.Join(dir, "absent")
	code, out, errOut := runReport(t, "--storage.path="+missing, "--config.file="+filepath.Join(dir, "none.yml"))
	// An explicitly named configuration file that is missing is a configuration error.
	if code != 2 || !strings.Contains(errOut, "invalid configuration") {
		t.Errorf("missing config: exit %d %q", code, errOut)
	}
	code, out, errOut = runReport(t, "--storage.path="+missing)
	if code != 2 || out != "" || !strings.Contains(errOut, "no store to report on") || !strings.Contains(errOut, filepath.Join(missing, store.FileName)) {
		t.Errorf("missing store: exit %d, stdout %q, stderr %q", code, out, errOut)
	}
	if _, err := os.Stat(missing); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("the report created %s: %v", missing, err)
	}
	empty := filepath.Join(dir, "empty")
	st, err := store.Open(context.Background(), empty, nil)
	if err != nil {
		t.Fatal(err)
	}
	st.Close()
	code, out, errOut = runReport(t, "--storage.path="+empty, "--format=markdown")
	if code != 2 || out != "" || !strings.Contains(errOut, "holds no incident yet") {
		t.Errorf("empty store: exit %d, stdout %q, stderr %q", code, out, errOut)
	}
}

// TestReportHashedLeaksNoName: with person_label: hashed, neither /report nor the
// report subcommand (any format) carries a name, an email or a source id.
func TestReportHashedLeaksNoName(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and starts hero_exporter; skipped in -short mode")
	}
	dir := t.TempDir()
	history := filepath.Join(dir, "history.ndjson")
	src, err := os.ReadFile(filepath.Join("testdata", "history.ndjson"))
	if err != nil {
		t.Fatal(err)
	}
	os.WriteFile(history, src, 0o644)
	cfg := filepath.Join(dir, "hero.yml")
	key := filepath.Join(dir, "hero.key")
	os.WriteFile(key, []byte("e2e-secret-key-of-32-bytes-long!\n"), 0o600)
	os.WriteFile(cfg, []byte(fmt.Sprintf("person_label: hashed\nhash_key_file: %q\nsources:\n  - name: hist\n    type: file\n    path: %q\n    refresh_interval: 1s\n", key, history)), 0o644)
	addr := freeAddr(t)
	proc := start(t, dir, "hero_exporter", exporterBinary(t), "--config.file="+cfg, "--web.listen-address="+addr,
		"--storage.path="+filepath.Join(dir, "store"), "--debug.now="+fixedNow)
	waitReady(t, "http://"+addr+"/-/ready", 30*time.Second)
	waitFor(t, 30*time.Second, "the file source's first sync", func() error {
		if !strings.Contains(fetch(t, "http://"+addr+"/metrics"), `hero_team_bus_factor{team="payments"`) {
			return errors.New("not synced yet")
		}
		return nil
	})
	// The people of testdata/history.ndjson: names, emails, source ids.
	leak := regexp.MustCompile(`\b(Ana|Ben|Cy|Dee|u[1-4])\b|example\.com`)
	outputs := map[string]string{
		"/report":        fetch(t, "http://"+addr+"/report"),
		"/report?7d":     fetch(t, "http://"+addr+"/report?window=7d&wall=1"),
		"/report?search": fetch(t, "http://"+addr+"/report?team=search"),
	}
	proc.stop()
	// The store keeps no name and no clear email either (the file source's ids are kept:
	// pages and shifts refer to them).
	for _, f := range []string{"hero.db", "hero.db-wal"} {
		b, _ := os.ReadFile(filepath.Join(dir, "store", f))
		if m := regexp.MustCompile(`\b(Ana|Ben|Cy|Dee)\b|[a-z]+@example\.com`).Find(b); m != nil {
			t.Errorf("store file %s holds %q", f, m)
		}
	}
	args := []string{"--config.file=" + cfg, "--storage.path=" + filepath.Join(dir, "store"), "--debug.now=" + fixedNow}
	for _, f := range report.Formats {
		code, out, errOut := runReport(t, append(args, "--format="+f)...)
		if code != 0 {
			t.Fatalf("report --format=%s: exit %d\n%s", f, code, errOut)
		}
		outputs["report --format="+f] = out
	}
	var rep report.Report
	if err := json.Unmarshal([]byte(outputs["report --format=json"]), &rep); err != nil {
		t.Fatal(err)
	}
	var labels []string
	for _, tm := range rep.Teams {
		for _, p := range tm.People {
			labels = append(labels, p.Label)
		}
	}
	hashed := regexp.MustCompile(`^[0-9a-f]{8,}$`)
	if len(labels) == 0 || !slices.ContainsFunc(labels, hashed.MatchString) {
		t.Fatalf("labels %v are not hashed", labels)
	}
	for name, out := range outputs {
		if m := leak.FindString(out); m != "" {
			t.Errorf("%s leaks %q", name, m)
		}
		if !strings.Contains(out, labels[0]) && name != "/report?search" {
			t.Errorf("%s lacks the hashed label %s", name, labels[0])
		}
	}
}

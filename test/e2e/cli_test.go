//go:build unix

package e2e

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"golang.org/x/crypto/bcrypt"
)

func TestCheckConfigExitCodes(t *testing.T) {
	if testing.Short() {
		t.Skip("builds hero_exporter; skipped in -short mode")
	}
	bin := exporterBinary(t)
	dir := t.TempDir()
	good := filepath.Join(dir, "good.yml")
	bad := filepath.Join(dir, "bad.yml")
	os.WriteFile(good, []byte("sources:\n  - name: hist\n    type: file\n    path: /tmp/x.ndjson\n"), 0o644)
	os.WriteFile(bad, []byte("windows: [7d]\nsources:\n  - name: pd\n    type: pagerduty\n    refresh_interval: soon\n"), 0o644)

	out, err := exec.Command(bin, "check-config", "--config.file="+good).CombinedOutput()
	if err != nil || !strings.Contains(string(out), "source hist: type file") {
		t.Fatalf("check-config on a valid file: %v\n%s", err, out)
	}
	out, err = exec.Command(bin, "check-config", "--config.file="+bad).CombinedOutput()
	var ee *exec.ExitError
	if !errors.As(err, &ee) || ee.ExitCode() != 2 {
		t.Fatalf("check-config on an invalid file: %v, want exit 2\n%s", err, out)
	}
	if want := bad + ":5: sources[0].refresh_interval: invalid duration \"soon\""; !strings.Contains(string(out), want) {
		t.Fatalf("message does not name file and line (%q):\n%s", want, out)
	}
	// serve with an invalid config exits 2 as well.
	err = exec.Command(bin, "--config.file="+bad, "--storage.path="+filepath.Join(dir, "s")).Run()
	if !errors.As(err, &ee) || ee.ExitCode() != 2 {
		t.Fatalf("serve with an invalid config: %v, want exit 2", err)
	}
}

// TestReload: POST /-/reload with a broken file keeps the running config; a valid file
// applied by SIGHUP adds its source.
func TestReload(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and starts hero_exporter; skipped in -short mode")
	}
	dir := t.TempDir()
	hist := filepath.Join(dir, "h.ndjson")
	os.WriteFile(hist, []byte(`{"type":"incident","id":"i1","team":"a","created_at":"2026-11-18T10:00:00Z"}`+"\n"), 0o644)
	cfgPath := filepath.Join(dir, "hero.yml")
	one := fmt.Sprintf("sources:\n  - name: one\n    type: file\n    path: %q\n    refresh_interval: 1s\n", hist)
	os.WriteFile(cfgPath, []byte(one), 0o644)
	addr := freeAddr(t)
	proc := start(t, dir, "hero_exporter", exporterBinary(t), "--config.file="+cfgPath, "--web.listen-address="+addr,
		"--storage.path="+filepath.Join(dir, "store"), "--debug.now="+fixedNow, "--web.enable-lifecycle")
	waitReady(t, "http://"+addr+"/-/ready", 30*time.Second)
	has := func(s string) func() error {
		return func() error {
			if !strings.Contains(fetch(t, "http://"+addr+"/metrics"), s) {
				return fmt.Errorf("no %s yet", s)
			}
			return nil
		}
	}
	waitFor(t, 20*time.Second, "source one", has(`hero_source_up{source="one",type="file"} 1`))

	os.WriteFile(cfgPath, []byte(one+"bogus: 1\n"), 0o644)
	resp, err := http.Post("http://"+addr+"/-/reload", "", nil)
	if err != nil {
		t.Fatal(err)
	}
	var body bytes.Buffer
	body.ReadFrom(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusBadRequest || !strings.Contains(body.String(), "field bogus not found") {
		t.Fatalf("reload of a bad file: HTTP %d\n%s", resp.StatusCode, body.String())
	}
	if r, _ := http.Get("http://" + addr + "/-/reload"); r == nil || r.StatusCode != http.StatusMethodNotAllowed {
		t.Fatal("GET /-/reload must be refused")
	}
	waitFor(t, 10*time.Second, "source one still running", has(`hero_source_up{source="one",type="file"} 1`))

	two := one + fmt.Sprintf("  - name: two\n    type: file\n    path: %q\n    refresh_interval: 1s\n", hist)
	os.WriteFile(cfgPath, []byte(two), 0o644)
	if err := syscall.Kill(proc.pid, syscall.SIGHUP); err != nil {
		t.Fatal(err)
	}
	waitFor(t, 20*time.Second, "source two after SIGHUP", has(`hero_source_up{source="two",type="file"} 1`))
}

// TestWebConfigBasicAuth: --web.config.file puts basic auth in front of every endpoint.
func TestWebConfigBasicAuth(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and starts hero_exporter; skipped in -short mode")
	}
	dir := t.TempDir()
	hash, err := bcrypt.GenerateFromPassword([]byte("s3cret"), bcrypt.MinCost)
	if err != nil {
		t.Fatal(err)
	}
	web := filepath.Join(dir, "web.yml")
	os.WriteFile(web, []byte("basic_auth_users:\n  prometheus: "+string(hash)+"\n"), 0o644)
	addr := freeAddr(t)
	start(t, dir, "hero_exporter", exporterBinary(t), "--demo", "--web.config.file="+web, "--web.listen-address="+addr,
		"--storage.path="+filepath.Join(dir, "store"))
	get := func(user, pass string) int {
		req, _ := http.NewRequest(http.MethodGet, "http://"+addr+"/metrics", nil)
		if user != "" {
			req.SetBasicAuth(user, pass)
		}
		var code int
		waitFor(t, 20*time.Second, "the web server", func() error {
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				return err
			}
			resp.Body.Close()
			code = resp.StatusCode
			return nil
		})
		return code
	}
	if c := get("", ""); c != http.StatusUnauthorized {
		t.Fatalf("no credentials: HTTP %d, want 401", c)
	}
	if c := get("prometheus", "wrong"); c != http.StatusUnauthorized {
		t.Fatalf("wrong password: HTTP %d, want 401", c)
	}
	if c := get("prometheus", "s3cret"); c != http.StatusOK {
		t.Fatalf("right password: HTTP %d, want 200", c)
	}
}

// TestScanStdinJSON: `hero_exporter scan --format=json -` reads standard input and prints
// the report shape of ARCHITECTURE.md; two KeyErrors with different keys are one
// fingerprint.
func TestScanStdinJSON(t *testing.T) {
	if testing.Short() {
		t.Skip("builds hero_exporter; skipped in -short mode")
	}
	trace := func(key string) string {
		return "2026-11-18 10:00:00 ERROR request failed\n" +
			"Traceback (most recent call last):\n" +
			"  File \"/srv/app/views.py\", line 12, in checkout\n" +
			"    return cart[\"" + key + "\"]\n" +
			"KeyError: '" + key + "'\n"
	}
	in := "2026-11-18 09:59:59 INFO ok\n" + trace("sku-123") + "2026-11-18 10:00:01 INFO ok\n" + trace("sku-456") + "2026-11-18 10:00:02 INFO done\n"
	cmd := exec.Command(exporterBinary(t), "scan", "--format=json", "-")
	cmd.Stdin = strings.NewReader(in)
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("scan: %v", err)
	}
	var rep struct {
		Lines, Bytes, Exceptions int
		Fingerprints             []struct {
			Fingerprint, Type, Location, Message, Language string
			Count                                          int
		}
	}
	if err := json.Unmarshal(out, &rep); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	if rep.Lines != 13 || rep.Bytes != len(in) || rep.Exceptions != 2 || len(rep.Fingerprints) != 1 {
		t.Fatalf("report = %+v\n%s", rep, out)
	}
	fp := rep.Fingerprints[0]
	if fp.Count != 2 || fp.Type != "KeyError" || fp.Language != "python" || len(fp.Fingerprint) != 16 {
		t.Fatalf("fingerprint = %+v", fp)
	}
}

// TestVersionAndHelp: --version and --help print to standard output and exit 0 without
// starting (no configuration file exists here); an unknown flag exits 2.
func TestVersionAndHelp(t *testing.T) {
	if testing.Short() {
		t.Skip("builds hero_exporter; skipped in -short mode")
	}
	bin := exporterBinary(t)
	dir := t.TempDir()
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--version"}, "hero_exporter, version"},
		{[]string{"--help"}, "usage: hero_exporter"},
		{[]string{"-h"}, "usage: hero_exporter"},
		{[]string{"scan", "--help"}, "usage: hero_exporter scan"},
		{[]string{"help", "check-config"}, "usage: hero_exporter check-config"},
	} {
		cmd := exec.Command(bin, tc.args...)
		cmd.Dir = dir // no hero.yml here: serving would fail with exit 2
		var stdout, stderr bytes.Buffer
		cmd.Stdout, cmd.Stderr = &stdout, &stderr
		if err := cmd.Run(); err != nil {
			t.Errorf("%v: %v, want exit 0\nstdout:\n%s\nstderr:\n%s", tc.args, err, stdout.String(), stderr.String())
			continue
		}
		if !strings.Contains(stdout.String(), tc.want) {
			t.Errorf("%v: stdout lacks %q:\n%s", tc.args, tc.want, stdout.String())
		}
		if strings.Contains(stderr.String(), "starting hero_exporter") || strings.Contains(stderr.String(), "error") {
			t.Errorf("%v: went on after printing:\n%s", tc.args, stderr.String())
		}
	}
	cmd := exec.Command(bin, "--no-such-flag")
	cmd.Dir = dir
	out, err := cmd.CombinedOutput()
	var ee *exec.ExitError
	if !errors.As(err, &ee) || ee.ExitCode() != 2 || !strings.Contains(string(out), "unknown long flag '--no-such-flag'") {
		t.Errorf("unknown flag: %v, want exit 2 naming the flag\n%s", err, out)
	}
}

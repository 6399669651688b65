package e2e

import (
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestLifecycleDisabledByDefault: without --web.enable-lifecycle, POST /-/reload is
// refused (403) and reloads nothing, whatever the file says; SIGHUP still reloads (see
// TestReload).
func TestLifecycleDisabledByDefault(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and starts hero_exporter; skipped in -short mode")
	}
	dir := t.TempDir()
	cfgPath := filepath.Join(dir, "hero.yml")
	hist := filepath.Join(dir, "h.ndjson")
	os.WriteFile(hist, []byte(`{"type":"incident","id":"i1","team":"a","created_at":"2026-11-18T10:00:00Z"}`+"\n"), 0o644)
	os.WriteFile(cfgPath, []byte(fmt.Sprintf("sources:\n  - name: one\n    type: file\n    path: %q\n", hist)), 0o644)
	addr := freeAddr(t)
	start(t, dir, "hero_exporter", exporterBinary(t), "--config.file="+cfgPath, "--web.listen-address="+addr,
		"--storage.path="+filepath.Join(dir, "store"))
	waitReady(t, "http://"+addr+"/-/ready", 30*time.Second)
	os.WriteFile(cfgPath, []byte("bogus_secret_path: /etc/hero/token\n"), 0o644)
	resp, err := http.Post("http://"+addr+"/-/reload", "", nil)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusForbidden {
		t.Fatalf("POST /-/reload without --web.enable-lifecycle: HTTP %d, want 403\n%s", resp.StatusCode, body)
	}
	if strings.Contains(string(body), "bogus_secret_path") || strings.Contains(string(body), cfgPath) {
		t.Fatalf("the refusal leaks configuration details:\n%s", body)
	}
	if m := fetch(t, "http://"+addr+"/metrics"); !strings.Contains(m, "hero_exporter_config_last_reload_successful 1") {
		t.Fatal("a refused reload must not have tried to load the file")
	}
}

// TestSlowClientsBounded: connections that never finish their headers are closed after
// --web.read-header-timeout, and while hundreds are open /metrics is still served with
// at most --web.max-connections of them accepted.
func TestSlowClientsBounded(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and starts hero_exporter; skipped in -short mode")
	}
	dir := t.TempDir()
	addr := freeAddr(t)
	p := start(t, dir, "hero_exporter", exporterBinary(t), "--demo", "--web.listen-address="+addr,
		"--storage.path="+filepath.Join(dir, "store"), "--web.read-header-timeout=1s", "--web.max-connections=64")
	waitReady(t, "http://"+addr+"/-/ready", 30*time.Second)
	base := openFDs(t, p.pid)

	// 100 slow-header clients: each sends a partial request line and stalls.
	var conns []net.Conn
	for range 100 {
		c, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		fmt.Fprint(c, "GET /metrics HTTP/1.1\r\nHost: x\r\n")
		conns = append(conns, c)
	}
	t.Cleanup(func() {
		for _, c := range conns {
			c.Close()
		}
	})
	// Accepted ones are bounded by --web.max-connections: the exporter's descriptors grow
	// by at most 64 (plus a few of its own), not by 100.
	if n := openFDs(t, p.pid); n-base > 64+8 {
		t.Errorf("%d descriptors opened for 100 stalled clients, want at most 64 (+8)", n-base)
	}
	// Every stalled client is closed by the server: a read returns EOF or reset, not our
	// deadline, well within the header timeout plus the time to reach the waiting ones.
	began := time.Now()
	var slowest time.Duration
	for i, c := range conns {
		c.SetReadDeadline(began.Add(15 * time.Second))
		_, err := io.ReadAll(c)
		if ne, ok := err.(net.Error); ok && ne.Timeout() {
			t.Fatalf("stalled connection %d still open after 15 s", i)
		}
		slowest = max(slowest, time.Since(began))
	}
	t.Logf("100 stalled clients closed, the last after %s", slowest.Round(10*time.Millisecond))

	// 300 half-open clients at once: /metrics still answers.
	var more []net.Conn
	for range 300 {
		c, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		more = append(more, c)
	}
	t.Cleanup(func() {
		for _, c := range more {
			c.Close()
		}
	})
	client := &http.Client{Timeout: 20 * time.Second}
	resp, err := client.Get("http://" + addr + "/metrics")
	if err != nil {
		t.Fatalf("/metrics with 300 half-open connections: %v", err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || !strings.Contains(string(b), "hero_source_up") {
		t.Fatalf("/metrics with 300 half-open connections: HTTP %d", resp.StatusCode)
	}
}

// openFDs counts the open file descriptors of a process (Linux).
func openFDs(t *testing.T, pid int) int {
	t.Helper()
	ents, err := os.ReadDir(fmt.Sprintf("/proc/%d/fd", pid))
	if err != nil {
		t.Skipf("cannot read /proc: %v", err)
	}
	return len(ents)
}

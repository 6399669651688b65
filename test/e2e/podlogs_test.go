//go:build unix

package e2e

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

// criTrace is one Python exception of the given type as the kubelet stores a container's
// stderr (CRI format, one full record per line).
func criTrace(typ string, i int) string {
	var b strings.Builder
	for _, l := range []string{
		fmt.Sprintf("ERROR request %d failed", i),
		"Traceback (most recent call last):",
		`  File "/srv/app/handler.py", line 10, in handle`,
		"    process(req)",
		`  File "/srv/app/orders.py", line 42, in process`,
		fmt.Sprintf(`    raise %s("request %d")`, typ, i),
		fmt.Sprintf("%s: request %d", typ, i),
		"INFO next request",
	} {
		fmt.Fprintf(&b, "2026-11-18T12:%02d:%02d.000000000Z stderr F %s\n", i/60%60, i%60, l)
	}
	return b.String()
}

// TestPodLogLabels follows a /var/log/pods tree with label_from_path: kubernetes, with
// the exceptions collector only (--no-collector.* for the others): the log
// label is <namespace>/<container>, the pods of one namespace and container are counted
// together, a pod that appears later is picked up, excluded namespaces are not read, and
// no pod name or uid appears in any label.
func TestPodLogLabels(t *testing.T) {
	if testing.Short() {
		t.Skip("starts hero_exporter; skipped in -short mode")
	}
	dir := t.TempDir()
	pods := filepath.Join(dir, "var", "log", "pods")
	// Request numbers (and so lines and timestamps) run on across all files, as in real
	// container logs: no file's content begins like another's (the follower would take
	// it for a copy-truncate copy).
	i := 0
	write := func(rel string, traces map[string]int) {
		t.Helper()
		p := filepath.Join(pods, rel)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		var b strings.Builder
		for typ, n := range traces {
			for range n {
				i++
				b.WriteString(criTrace(typ, i))
			}
		}
		if err := os.WriteFile(p, []byte(b.String()), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("shop_cart-7d9f8-aaaaa_0f1e2d3c-1111/cart/0.log", map[string]int{"CartError": 3})
	write("shop_cart-7d9f8-bbbbb_0f1e2d3c-2222/cart/0.log", map[string]int{"CartError": 2, "StockError": 1})
	write("shop_cart-7d9f8-bbbbb_0f1e2d3c-2222/istio-proxy/0.log", map[string]int{"ProxyError": 1})
	write("billing_api-0_0f1e2d3c-3333/api/0.log", map[string]int{"ApiError": 4})
	write("kube-system_coredns-1_0f1e2d3c-4444/coredns/0.log", map[string]int{"DNSError": 5})

	cfg := fmt.Sprintf(`logs:
  - name: pods
    paths: [%q]
    exclude: [%q]
    format: cri
    from_start: true
    in_app: ["/srv/app/"]
    poll_interval: 100ms
    label_from_path: kubernetes
`, filepath.Join(pods, "*", "*", "*.log"), filepath.Join(pods, "kube-system_*", "*", "*.log"))
	cfgPath := filepath.Join(dir, "hero.yml")
	if err := os.WriteFile(cfgPath, []byte(cfg), 0o644); err != nil {
		t.Fatal(err)
	}
	addr := freeAddr(t)
	// As the Helm chart's log DaemonSet runs it: the exceptions collector only.
	start(t, dir, "hero_exporter", exporterBinary(t), "--config.file="+cfgPath, "--web.listen-address="+addr,
		"--storage.path="+filepath.Join(dir, "store"), "--no-collector.incidents", "--no-collector.responders",
		"--no-collector.teams", "--no-collector.sources", "--no-collector.config", "--no-collector.trends", "--no-collector.store")
	waitReady(t, "http://"+addr+"/-/ready", 60*time.Second)

	total := regexp.MustCompile(`(?m)^hero_exceptions_total\{log="([^"]*)"\} (\d+)$`)
	counts := func() map[string]string {
		out := map[string]string{}
		for _, m := range total.FindAllStringSubmatch(fetch(t, "http://"+addr+"/metrics"), -1) {
			out[m[1]] = m[2]
		}
		return out
	}
	expect := func(want map[string]string) {
		t.Helper()
		waitFor(t, 30*time.Second, fmt.Sprintf("exceptions per log %v", want), func() error {
			got := counts()
			if fmt.Sprint(got) != fmt.Sprint(want) {
				return fmt.Errorf("hero_exceptions_total by log: %v", got)
			}
			return nil
		})
	}
	expect(map[string]string{"shop/cart": "6", "shop/istio-proxy": "1", "billing/api": "4"})

	// A new pod of the same deployment: same label, counted into it.
	write("shop_cart-7d9f8-ccccc_0f1e2d3c-5555/cart/0.log", map[string]int{"CartError": 2})
	// A new container in a new namespace: a new label.
	write("search_indexer-0_0f1e2d3c-6666/indexer/0.log", map[string]int{"IndexError": 1})
	expect(map[string]string{"shop/cart": "8", "shop/istio-proxy": "1", "billing/api": "4", "search/indexer": "1"})

	metrics := fetch(t, "http://"+addr+"/metrics")
	collectors := regexp.MustCompile(`(?m)^hero_scrape_collector_success\{collector="([^"]*)"\} 1$`).FindAllStringSubmatch(metrics, -1)
	if len(collectors) != 1 || collectors[0][1] != "exceptions" {
		t.Errorf("collectors that ran: %v, want the exceptions collector only:\n%s", collectors, grepLines(metrics, "hero_scrape_collector_success"))
	}
	for _, leak := range []string{"aaaaa", "bbbbb", "ccccc", "0f1e2d3c", "coredns", "kube-system", "DNSError"} {
		if strings.Contains(metrics, leak) {
			t.Errorf("/metrics contains %q (a pod name, uid or excluded namespace):\n%s", leak, grepLines(metrics, leak))
		}
	}
	if !regexp.MustCompile(`(?m)^hero_exception_info\{[^}]*log="shop/cart"[^}]*type="CartError"`).MatchString(metrics) {
		t.Errorf("no CartError info in log shop/cart:\n%s", grepLines(metrics, "hero_exception_info"))
	}
	if !regexp.MustCompile(`(?m)^hero_log_files\{log="shop/cart"\} 3$`).MatchString(metrics) {
		t.Errorf("shop/cart should follow the files of its three pods:\n%s", grepLines(metrics, "hero_log_files"))
	}
}

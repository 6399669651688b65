//go:build unix

package e2e

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/hero-exporter/hero_exporter/internal/incident"
	"github.com/hero-exporter/hero_exporter/internal/store"
)

// TestChangePushEndToEnd pushes changes to the binary: a JSON change and a list from a
// CI pipeline (one pushed twice), a signed GitHub deployment_status, and every kind of
// bad request, each refused with its status. The store then holds exactly the good
// changes, once each, and /metrics counts every request by status.
func TestChangePushEndToEnd(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and starts hero_exporter; skipped in -short mode")
	}
	dir := t.TempDir()
	secretPath := filepath.Join(dir, "github.secret")
	if err := os.WriteFile(secretPath, []byte("gh-e2e-secret\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg := "sources:\n  - name: ci\n    type: changes\n    token_env: HERO_E2E_CI_TOKEN\n    secret_file: " + secretPath +
		"\n    environments: [production]\n"
	cfgPath := filepath.Join(dir, "hero.yml")
	if err := os.WriteFile(cfgPath, []byte(cfg), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Setenv("HERO_E2E_CI_TOKEN", "ci-e2e-token")
	storePath := filepath.Join(dir, "store")
	addr := freeAddr(t)
	start(t, dir, "hero_exporter", exporterBinary(t), "--config.file="+cfgPath, "--web.listen-address="+addr,
		"--storage.path="+storePath, "--debug.now="+fixedNow)
	waitReady(t, "http://"+addr+"/-/ready", 30*time.Second)

	post := func(path string, hdr map[string]string, body string) int {
		t.Helper()
		req, _ := http.NewRequest(http.MethodPost, "http://"+addr+path, strings.NewReader(body))
		for k, v := range hdr {
			req.Header.Set(k, v)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	ci := map[string]string{"Content-Type": "application/json", "Authorization": "Bearer ci-e2e-token"}
	gh := func(body, secret string) map[string]string {
		m := hmac.New(sha256.New, []byte(secret))
		m.Write([]byte(body))
		return map[string]string{"Content-Type": "application/json", "X-GitHub-Event": "deployment_status",
			"X-Hub-Signature-256": "sha256=" + hex.EncodeToString(m.Sum(nil))}
	}
	deployment := func(state, env string, id int) string {
		return fmt.Sprintf(`{"action":"created","deployment_status":{"id":1,"state":%q,"environment":%q,"created_at":"2026-11-18T09:00:00Z"},
"deployment":{"id":%d,"environment":%q,"task":"deploy","description":null,"sha":"a1b2c3","ref":"main"},
"repository":{"id":42,"name":"checkout","full_name":"acme/checkout"},"sender":{"login":"ci-bot"}}`, state, env, id, env)
	}
	huge := "[" + strings.TrimSuffix(strings.Repeat(`{"id":"x","time":"2026-11-18T08:00:00Z"},`, 1001), ",") + "]"

	for _, c := range []struct {
		name, path string
		hdr        map[string]string
		body       string
		want       int
	}{
		{"one change", "/changes/ci", ci, `{"id":"deploy-4711","service":"checkout","team":"payments","kind":"deploy","time":"2026-11-18T08:00:00Z"}`, 200},
		{"a list", "/changes/ci", ci, `[{"id":"cfg-1","service":"search","kind":"config","time":"2026-11-18T08:30:00Z"},{"id":"rb-1","service":"checkout","kind":"rollback","time":"2026-11-18T08:45:00Z"}]`, 200},
		{"a retry", "/changes/ci", ci, `{"id":"deploy-4711","service":"checkout","team":"payments","kind":"deploy","time":"2026-11-18T08:00:00Z"}`, 200},
		{"GitHub success", "/changes/ci/github", gh(deployment("success", "production", 99), "gh-e2e-secret"), deployment("success", "production", 99), 200},
		{"GitHub redelivery", "/changes/ci/github", gh(deployment("success", "production", 99), "gh-e2e-secret"), deployment("success", "production", 99), 200},
		{"GitHub failure state", "/changes/ci/github", gh(deployment("failure", "production", 100), "gh-e2e-secret"), deployment("failure", "production", 100), 200},
		{"GitHub staging", "/changes/ci/github", gh(deployment("success", "staging", 101), "gh-e2e-secret"), deployment("success", "staging", 101), 200},
		{"no token", "/changes/ci", map[string]string{"Content-Type": "application/json"}, `{"id":"bad-1","time":"2026-11-18T08:00:00Z"}`, 401},
		{"wrong signature", "/changes/ci/github", gh(deployment("success", "production", 102), "guess"), deployment("success", "production", 102), 401},
		{"malformed body", "/changes/ci", ci, `{"id":"bad-2",`, 400},
		{"unknown field", "/changes/ci", ci, `{"id":"bad-3","time":"2026-11-18T08:00:00Z","sha":"a1b2c3"}`, 400},
		{"huge list", "/changes/ci", ci, huge, 413},
		{"not JSON", "/changes/ci", map[string]string{"Content-Type": "text/plain", "Authorization": "Bearer ci-e2e-token"}, `id=bad-4`, 415},
	} {
		if got := post(c.path, c.hdr, c.body); got != c.want {
			t.Errorf("%s: HTTP %d, want %d", c.name, got, c.want)
		}
	}

	// Every answer is counted by its status.
	waitFor(t, 20*time.Second, "the push requests on /metrics", func() error {
		lines := stableLines(fetch(t, "http://"+addr+"/metrics"))
		for _, w := range []string{
			`hero_webhook_requests_total{code="200",source="ci"} 7`, `hero_webhook_requests_total{code="401",source="ci"} 2`,
			`hero_webhook_requests_total{code="400",source="ci"} 2`, `hero_webhook_requests_total{code="413",source="ci"} 1`,
			`hero_webhook_requests_total{code="415",source="ci"} 1`,
		} {
			if !contains(lines, w) {
				return fmt.Errorf("missing %s", w)
			}
		}
		return nil
	})

	// The store holds exactly the good changes, once each.
	st, err := store.OpenReadOnly(context.Background(), storePath, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	h, err := st.LoadHistory(context.Background(), time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	got := append([]incident.Change(nil), h.Changes...)
	sort.Slice(got, func(i, j int) bool { return got[i].ID < got[j].ID })
	at := func(s string) time.Time { t, _ := time.Parse(time.RFC3339, s); return t }
	want := []incident.Change{
		{Source: "ci", ID: "cfg-1", Service: "search", Kind: "config", Time: at("2026-11-18T08:30:00Z")},
		{Source: "ci", ID: "deploy-4711", Team: "payments", Service: "checkout", Kind: "deploy", Time: at("2026-11-18T08:00:00Z")},
		{Source: "ci", ID: "github-deployment-99", Service: "checkout", Kind: "deploy", Time: at("2026-11-18T09:00:00Z")},
		{Source: "ci", ID: "rb-1", Service: "checkout", Kind: "rollback", Time: at("2026-11-18T08:45:00Z")},
	}
	for i := range got {
		got[i].Time = got[i].Time.UTC()
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("stored changes:\n got %+v\nwant %+v", got, want)
	}
}

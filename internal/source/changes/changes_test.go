package changes

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hero-exporter/hero_exporter/internal/incident"
	"github.com/hero-exporter/hero_exporter/internal/source"
)

const (
	testToken  = "ci-T0KEN-5b1f"
	testSecret = "gh-S3CRET-77aa"
)

var now = time.Date(2026, 11, 20, 12, 0, 0, 0, time.UTC)

// memSink stores changes by id, as the store upserts them.
type memSink struct {
	mu      sync.Mutex
	changes map[string]incident.Change
	writes  int
	fail    bool
}

func (m *memSink) Write(_ context.Context, name string, b *source.Batch) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.fail {
		return errors.New("disk full")
	}
	if name != "ci" || b.Incidents != nil || b.People != nil {
		return fmt.Errorf("unexpected write of %s: %+v", name, b)
	}
	m.writes++
	for _, c := range b.Changes {
		m.changes[c.ID] = c
	}
	return nil
}

type rig struct {
	r       *Receiver
	sink    *memSink
	logs    *bytes.Buffer
	notices int
}

func newRig(t *testing.T, mod func(*Config)) *rig {
	t.Helper()
	g := &rig{sink: &memSink{changes: map[string]incident.Change{}}, logs: &bytes.Buffer{}}
	cfg := Config{Name: "ci", Token: testToken, GitHubSecret: testSecret, Now: func() time.Time { return now }}
	if mod != nil {
		mod(&cfg)
	}
	r, err := New(cfg, g.sink, func() { g.notices++ }, slog.New(slog.NewTextHandler(g.logs, nil)))
	if err != nil {
		t.Fatal(err)
	}
	g.r = r
	return g
}

// do sends a request to the route at path and returns the status and the decoded answer.
func (g *rig) do(t *testing.T, method, path string, hdr map[string]string, body string) (int, map[string]any) {
	t.Helper()
	h := g.r.Routes()[path]
	if h == nil {
		t.Fatalf("no route %s in %v", path, g.r.Routes())
	}
	req := httptest.NewRequest(method, path, strings.NewReader(body))
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, req)
	var out map[string]any
	if err := json.Unmarshal(w.Body.Bytes(), &out); err != nil {
		t.Fatalf("answer is not JSON: %q", w.Body.String())
	}
	return w.Code, out
}

func (g *rig) push(t *testing.T, body string) (int, map[string]any) {
	return g.do(t, http.MethodPost, "/changes/ci", map[string]string{
		"Authorization": "Bearer " + testToken, "Content-Type": "application/json"}, body)
}

func TestPushOneAndAList(t *testing.T) {
	g := newRig(t, nil)
	code, out := g.push(t, `{"id":"deploy-1","service":"checkout","team":"payments","kind":"deploy","time":"2026-11-20T11:00:00+01:00"}`)
	if code != 200 || out["stored"] != 1.0 {
		t.Fatalf("one change: %d %v", code, out)
	}
	want := incident.Change{Source: "ci", ID: "deploy-1", Team: "payments", Service: "checkout", Kind: "deploy", Time: now.Add(-2 * time.Hour)}
	if got := g.sink.changes["deploy-1"]; got != want {
		t.Errorf("stored %+v, want %+v", got, want)
	}
	code, out = g.push(t, `[{"id":"c2","service":"checkout","time":"2026-11-20T11:30:00Z"},
		{"id":"c3","kind":"rollback","time":"2026-11-20T11:45:00.5Z"}]`)
	if code != 200 || out["stored"] != 2.0 {
		t.Fatalf("list: %d %v", code, out)
	}
	if c := g.sink.changes["c2"]; c.Kind != "other" || c.Team != "" || c.Service != "checkout" {
		t.Errorf("c2 %+v: no kind is other, no team stays empty", c)
	}
	if c := g.sink.changes["c3"]; c.Kind != "rollback" || c.Service != "" || !c.Time.Equal(now.Add(-15*time.Minute+500*time.Millisecond)) {
		t.Errorf("c3 %+v", c)
	}
	// Pushing the same again (a pipeline retry) replaces, never adds.
	if code, _ := g.push(t, `{"id":"deploy-1","service":"checkout","team":"payments","kind":"deploy","time":"2026-11-20T10:00:00Z"}`); code != 200 {
		t.Fatal(code)
	}
	if len(g.sink.changes) != 3 || g.sink.changes["deploy-1"] != want || g.notices != 3 {
		t.Errorf("after a retry: %d changes, deploy-1 %+v, %d recomputes", len(g.sink.changes), g.sink.changes["deploy-1"], g.notices)
	}
	// An empty list is fine and writes nothing.
	if code, out := g.push(t, ` [ ] `); code != 200 || out["stored"] != 0.0 || g.sink.writes != 3 {
		t.Errorf("empty list: %d %v, %d writes", code, out, g.sink.writes)
	}
}

// Every bad request gets its status and a reason, and stores nothing; a good push
// afterwards still works.
func TestPushBadInputs(t *testing.T) {
	good := `{"id":"c1","time":"2026-11-20T11:00:00Z"}`
	json := "application/json"
	bearer := "Bearer " + testToken
	many := "[" + strings.TrimSuffix(strings.Repeat(good+",", MaxChanges+1), ",") + "]"
	for _, c := range []struct {
		name         string
		method, auth string
		ctype, body  string
		code         int
		reason       string
	}{
		{"no token", "POST", "", json, good, 401, "missing or wrong bearer token"},
		{"wrong token", "POST", "Bearer nope", json, good, 401, "missing or wrong bearer token"},
		{"basic auth", "POST", "Basic " + testToken, json, good, 401, "missing or wrong bearer token"},
		{"GET", "GET", bearer, json, "", 405, "only POST is accepted"},
		{"form body", "POST", bearer, "application/x-www-form-urlencoded", "id=c1", 415, "Content-Type must be application/json"},
		{"no content type", "POST", bearer, "", good, 415, "Content-Type must be application/json"},
		{"empty", "POST", bearer, json, "  ", 400, "empty body; send a change object or a list of them"},
		{"malformed", "POST", bearer, json, `{"id":"c1",`, 400, "malformed JSON: unexpected EOF"},
		{"not an object", "POST", bearer, json, `"c1"`, 400, "malformed JSON: expected a change object or a list of them"},
		{"trailing data", "POST", bearer, json, good + `{"id":"c2"}`, 400, "malformed JSON: trailing data after the object"},
		{"unknown field", "POST", bearer, json, `{"id":"c1","time":"2026-11-20T11:00:00Z","sha":"abc"}`, 400, `unknown field "sha" (known: id, time, service, team, kind)`},
		{"unknown field in a list", "POST", bearer, json, `[` + good + `,{"id":"c2","time":"2026-11-20T11:00:00Z","env":"prod"}]`, 400, `changes[1]: unknown field "env" (known: id, time, service, team, kind)`},
		{"no id", "POST", bearer, json, `{"time":"2026-11-20T11:00:00Z"}`, 400, "id: required"},
		{"no time", "POST", bearer, json, `{"id":"c1"}`, 400, "time: required (RFC 3339)"},
		{"bad time", "POST", bearer, json, `{"id":"c1","time":"yesterday"}`, 400, `time: "yesterday" is not an RFC 3339 time`},
		{"future", "POST", bearer, json, `{"id":"c1","time":"2026-11-22T12:00:00Z"}`, 400, "time: 2026-11-22T12:00:00Z is more than 24h0m0s ahead of the exporter's clock"},
		{"bad kind", "POST", bearer, json, `{"id":"c1","kind":"hotfix","time":"2026-11-20T11:00:00Z"}`, 400, `kind: "hotfix" is not deploy, rollback, config or other`},
		{"wrong type", "POST", bearer, json, `{"id":5,"time":"2026-11-20T11:00:00Z"}`, 400, "malformed JSON: json: cannot unmarshal number into Go struct field pushed.id of type string"},
		{"long service", "POST", bearer, json, `{"id":"c1","service":"` + strings.Repeat("s", MaxLabelBytes+1) + `","time":"2026-11-20T11:00:00Z"}`, 400, "service: longer than 128 bytes"},
		{"control character", "POST", bearer, json, `{"id":"c1","team":"a\nb","time":"2026-11-20T11:00:00Z"}`, 400, "team: contains a control character"},
		{"one bad in a list", "POST", bearer, json, `[` + good + `,{"id":"c2","time":"2026-11-20T11:00:00Z"},{"id":""}]`, 400, "changes[2]: id: required"},
		{"huge list", "POST", bearer, json, many, 413, "1001 changes in one request, at most 1000; send them in several"},
	} {
		t.Run(c.name, func(t *testing.T) {
			g := newRig(t, nil)
			hdr := map[string]string{"Authorization": c.auth, "Content-Type": c.ctype}
			code, out := g.do(t, c.method, "/changes/ci", hdr, c.body)
			if code != c.code || out["status"] != "error" || out["error"] != c.reason {
				t.Errorf("got %d %v, want %d %q", code, out, c.code, c.reason)
			}
			if len(g.sink.changes) != 0 || g.sink.writes != 0 || g.notices != 0 {
				t.Errorf("stored %v", g.sink.changes)
			}
			if strings.Contains(g.logs.String(), testToken) || !strings.Contains(g.logs.String(), "change push refused") {
				t.Errorf("log: %s", g.logs.String())
			}
			if code, _ := g.push(t, good); code != 200 || len(g.sink.changes) != 1 {
				t.Errorf("a good push after it: %d, %d stored", code, len(g.sink.changes))
			}
			counts := g.r.WebhookRequests()
			if counts[fmt.Sprint(c.code)] != 1 || counts["200"] != 1 {
				t.Errorf("request counts %v", counts)
			}
		})
	}
}

func TestPushBodyLimitAndStoreFailure(t *testing.T) {
	g := newRig(t, func(c *Config) { c.MaxBodyBytes = 100 })
	code, out := g.push(t, `[{"id":"c1","time":"2026-11-20T11:00:00Z"},{"id":"c2","time":"2026-11-20T11:00:00Z"},{"id":"c3","time":"2026-11-20T11:00:00Z"}]`)
	if code != 413 || out["error"] != "body larger than 100 bytes (max_body_bytes)" || len(g.sink.changes) != 0 {
		t.Errorf("over the body limit: %d %v", code, out)
	}
	g = newRig(t, nil)
	g.sink.fail = true
	code, out = g.push(t, `{"id":"c1","time":"2026-11-20T11:00:00Z"}`)
	if code != 500 || out["error"] != "storing the changes failed; retry" || g.notices != 0 {
		t.Errorf("store failure: %d %v", code, out)
	}
}

func sign(secret, body string) string {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write([]byte(body))
	return "sha256=" + hex.EncodeToString(m.Sum(nil))
}

// deploymentStatus is a deployment_status delivery as GitHub sends it (abridged to
// the fields around the ones read).
func deploymentStatus(state, env string, id int64) string {
	return fmt.Sprintf(`{
  "action": "created",
  "deployment_status": {"url": "https://api.github.com/repos/acme/checkout/deployments/%[3]d/statuses/9", "id": 9,
    "node_id": "DES_x", "state": %[1]q, "creator": {"login": "ci-bot", "id": 1, "type": "Bot"},
    "description": "Deployment finished successfully.", "environment": %[2]q, "target_url": "",
    "created_at": "2026-11-20T11:20:00Z", "updated_at": "2026-11-20T11:20:00Z",
    "deployment_url": "https://api.github.com/repos/acme/checkout/deployments/%[3]d",
    "repository_url": "https://api.github.com/repos/acme/checkout"},
  "deployment": {"url": "https://api.github.com/repos/acme/checkout/deployments/%[3]d", "id": %[3]d, "node_id": "DE_x",
    "sha": "a1b2c3", "ref": "main", "task": "deploy", "payload": {}, "original_environment": %[2]q,
    "environment": %[2]q, "description": null, "creator": {"login": "ci-bot", "id": 1, "type": "Bot"},
    "created_at": "2026-11-20T11:10:00Z", "updated_at": "2026-11-20T11:20:00Z"},
  "repository": {"id": 42, "name": "checkout", "full_name": "acme/checkout", "private": true},
  "sender": {"login": "ci-bot", "id": 1, "type": "Bot"}
}`, state, env, id)
}

func (g *rig) github(t *testing.T, event, sig, body string) (int, map[string]any) {
	return g.do(t, http.MethodPost, "/changes/ci/github", map[string]string{
		"Content-Type": "application/json", "X-GitHub-Event": event, "X-Hub-Signature-256": sig,
		"X-GitHub-Delivery": "72d3162e-cc78-11e3-81ab-4c9367dc0958"}, body)
}

func TestGitHubDeploymentStatus(t *testing.T) {
	g := newRig(t, func(c *Config) { c.Environments = []string{"production"} })
	body := deploymentStatus("success", "production", 1234567)
	code, out := g.github(t, "deployment_status", sign(testSecret, body), body)
	if code != 200 || out["stored"] != 1.0 {
		t.Fatalf("success: %d %v", code, out)
	}
	want := incident.Change{Source: "ci", ID: "github-deployment-1234567", Service: "checkout", Kind: "deploy",
		Time: time.Date(2026, 11, 20, 11, 20, 0, 0, time.UTC)}
	if got := g.sink.changes[want.ID]; got != want {
		t.Errorf("stored %+v, want %+v", got, want)
	}
	// A redelivery (or a second success status of the same deployment) is the same change.
	if code, _ := g.github(t, "deployment_status", sign(testSecret, body), body); code != 200 || len(g.sink.changes) != 1 {
		t.Errorf("redelivery: %d, %d changes", code, len(g.sink.changes))
	}
	// A rollback deployment (task "rollback") is a rollback.
	rb := strings.Replace(deploymentStatus("success", "production", 7), `"task": "deploy"`, `"task": "rollback"`, 1)
	if code, _ := g.github(t, "deployment_status", sign(testSecret, rb), rb); code != 200 || g.sink.changes["github-deployment-7"].Kind != "rollback" {
		t.Errorf("rollback: %d %+v", code, g.sink.changes["github-deployment-7"])
	}

	// Ignored, answered 200, nothing stored.
	for name, c := range map[string]struct{ event, body, reason string }{
		"failure":  {"deployment_status", deploymentStatus("failure", "production", 8), `state "failure" is not success`},
		"pending":  {"deployment_status", deploymentStatus("pending", "production", 9), `state "pending" is not success`},
		"staging":  {"deployment_status", deploymentStatus("success", "staging", 10), `environment "staging" is not counted`},
		"ping":     {"ping", `{"zen":"Design for failure.","hook_id":1}`, `event "ping" is not deployment_status`},
		"push":     {"push", `{"ref":"refs/heads/main"}`, `event "push" is not deployment_status`},
		"no event": {"", `{}`, `event "" is not deployment_status`},
	} {
		code, out := g.github(t, c.event, sign(testSecret, c.body), c.body)
		if code != 200 || out["status"] != "ignored" || out["reason"] != c.reason {
			t.Errorf("%s: %d %v, want ignored: %s", name, code, out, c.reason)
		}
	}
	if len(g.sink.changes) != 2 {
		t.Errorf("stored %v", g.sink.changes)
	}

	// Refused: each with its status, nothing stored, the secret never logged.
	other := deploymentStatus("success", "production", 11)
	for name, c := range map[string]struct {
		sig, body, ctype string
		code             int
		reason           string
	}{
		"no signature":          {"", other, "application/json", 401, "missing or wrong X-Hub-Signature-256 (HMAC-SHA256 of the body with the webhook secret)"},
		"wrong secret":          {sign("guess", other), other, "application/json", 401, "missing or wrong X-Hub-Signature-256 (HMAC-SHA256 of the body with the webhook secret)"},
		"signature of another":  {sign(testSecret, body), other, "application/json", 401, "missing or wrong X-Hub-Signature-256 (HMAC-SHA256 of the body with the webhook secret)"},
		"sha1 signature":        {"sha1=" + strings.TrimPrefix(sign(testSecret, other), "sha256="), other, "application/json", 401, "missing or wrong X-Hub-Signature-256 (HMAC-SHA256 of the body with the webhook secret)"},
		"not hex":               {"sha256=zz", other, "application/json", 401, "missing or wrong X-Hub-Signature-256 (HMAC-SHA256 of the body with the webhook secret)"},
		"form content":          {sign(testSecret, "payload=x"), "payload=x", "application/x-www-form-urlencoded", 415, "Content-Type must be application/json"},
		"malformed, signed":     {sign(testSecret, `{"deployment":`), `{"deployment":`, "application/json", 400, "malformed JSON: unexpected end of JSON input"},
		"no deployment, signed": {sign(testSecret, `{"deployment_status":{"state":"success"},"repository":{"name":"x"}}`), `{"deployment_status":{"state":"success"},"repository":{"name":"x"}}`, "application/json", 400, "missing deployment_status, deployment or repository"},
		"no id, signed": {sign(testSecret, `{"deployment_status":{"state":"success"},"deployment":{},"repository":{"name":"x"}}`),
			`{"deployment_status":{"state":"success"},"deployment":{},"repository":{"name":"x"}}`, "application/json", 400, "missing deployment.id"},
	} {
		code, out := g.do(t, http.MethodPost, "/changes/ci/github", map[string]string{
			"Content-Type": c.ctype, "X-GitHub-Event": "deployment_status", "X-Hub-Signature-256": c.sig}, c.body)
		if code != c.code || out["error"] != c.reason {
			t.Errorf("%s: %d %v, want %d %s", name, code, out, c.code, c.reason)
		}
	}
	if len(g.sink.changes) != 2 || strings.Contains(g.logs.String(), testSecret) {
		t.Errorf("stored %v; secret in log: %v", g.sink.changes, strings.Contains(g.logs.String(), testSecret))
	}
	// The bearer token does not open the GitHub endpoint, nor the secret the JSON one.
	code, _ = g.do(t, http.MethodPost, "/changes/ci/github", map[string]string{"Content-Type": "application/json",
		"X-GitHub-Event": "deployment_status", "Authorization": "Bearer " + testToken}, other)
	if code != 401 {
		t.Errorf("token on the GitHub endpoint: %d", code)
	}
	code, _ = g.do(t, http.MethodPost, "/changes/ci", map[string]string{"Content-Type": "application/json",
		"X-Hub-Signature-256": sign(testSecret, `{"id":"x","time":"2026-11-20T11:00:00Z"}`)}, `{"id":"x","time":"2026-11-20T11:00:00Z"}`)
	if code != 401 {
		t.Errorf("signature on the JSON endpoint: %d", code)
	}
}

// Without a secret there is no GitHub route; all environments count when none are set.
func TestGitHubRoutesAndEnvironments(t *testing.T) {
	g := newRig(t, func(c *Config) { c.GitHubSecret = ""; c.Path = "/hooks/deploys/" })
	if routes := g.r.Routes(); len(routes) != 1 || routes["/hooks/deploys/"] == nil {
		t.Errorf("routes without a secret: %v", routes)
	}
	g = newRig(t, nil)
	if !reflect.DeepEqual(len(g.r.Routes()), 2) || g.r.GitHubPath() != "/changes/ci/github" {
		t.Errorf("routes %v", g.r.Routes())
	}
	body := deploymentStatus("success", "staging", 5)
	if code, _ := g.github(t, "deployment_status", sign(testSecret, body), body); code != 200 || len(g.sink.changes) != 1 {
		t.Errorf("staging without an environment filter: %d %v", code, g.sink.changes)
	}
	if _, err := New(Config{Name: "x"}, g.sink, nil, nil); err == nil || err.Error() != "changes x: a token is required" {
		t.Errorf("no token: %v", err)
	}
}

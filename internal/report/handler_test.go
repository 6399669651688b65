package report

import (
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/hero-exporter/hero_exporter/internal/incident"
	"github.com/hero-exporter/hero_exporter/internal/logscan"
)

type fixture struct {
	snap *incident.Snapshot
	logs []logscan.Stats
}

func (f fixture) Snapshot() *incident.Snapshot { return f.snap }
func (f fixture) LogStats() []logscan.Stats    { return f.logs }

func get(t *testing.T, h http.Handler, method, target string) *httptest.ResponseRecorder {
	t.Helper()
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(method, target, nil))
	return rec
}

func TestHandler(t *testing.T) {
	h := NewHandler(fixture{snap: handBuilt(), logs: handLogs()}, slog.New(slog.NewTextHandler(io.Discard, nil)))

	rec := get(t, h, http.MethodGet, "/report")
	body := rec.Body.String()
	if rec.Code != http.StatusOK || rec.Header().Get("Content-Type") != "text/html; charset=utf-8" {
		t.Fatalf("HTTP %d %s\n%s", rec.Code, rec.Header().Get("Content-Type"), body)
	}
	if csp := rec.Header().Get("Content-Security-Policy"); !strings.Contains(csp, "default-src 'none'") || strings.Contains(csp, "script-src") {
		t.Errorf("CSP %q", csp)
	}
	for _, want := range []string{`id="team-payments"`, `id="team-search"`, `data-log="shop"`, "Last 28d", `href="?wall=1&amp;window=28d"`} {
		if !strings.Contains(body, want) {
			t.Errorf("page lacks %s", want)
		}
	}
	if strings.Contains(body, `http-equiv="refresh"`) {
		t.Error("the laptop view must not reload itself")
	}

	rec = get(t, h, http.MethodGet, "/report?window=7d&team=payments&wall=1")
	body = rec.Body.String()
	if rec.Code != http.StatusOK || !strings.Contains(body, `<meta http-equiv="refresh" content="60">`) ||
		!strings.Contains(body, `<body class="wall">`) || strings.Contains(body, `id="team-search"`) || !strings.Contains(body, "Last 7d") {
		t.Errorf("wall view of payments, 7d: HTTP %d\n%s", rec.Code, body)
	}

	for target, want := range map[string]string{
		"/report?window=1y":   `unknown window "1y"; known: 7d, 28d`,
		"/report?team=ghosts": `unknown team "ghosts"; known: payments, search`,
		"/report?wall=yes":    `wall must be 1 or 0, got "yes"`,
	} {
		rec := get(t, h, http.MethodGet, target)
		if rec.Code != http.StatusBadRequest || strings.TrimSpace(rec.Body.String()) != want {
			t.Errorf("%s: HTTP %d %q, want 400 %q", target, rec.Code, rec.Body.String(), want)
		}
	}
	if rec := get(t, h, http.MethodPost, "/report"); rec.Code != http.StatusMethodNotAllowed || rec.Header().Get("Allow") != "GET, HEAD" {
		t.Errorf("POST: HTTP %d", rec.Code)
	}
	if rec := get(t, h, http.MethodHead, "/report"); rec.Code != http.StatusOK || rec.Body.Len() != 0 {
		t.Errorf("HEAD: HTTP %d, %d bytes", rec.Code, rec.Body.Len())
	}

	// Before the first snapshot: 503, not an empty page.
	h = NewHandler(fixture{}, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if rec := get(t, h, http.MethodGet, "/report"); rec.Code != http.StatusServiceUnavailable || rec.Header().Get("Retry-After") == "" {
		t.Errorf("no snapshot: HTTP %d", rec.Code)
	}
}

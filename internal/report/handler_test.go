package report

import (
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
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

// swappable is a source whose snapshot and logs change between requests.
type swappable struct {
	snap atomic.Pointer[incident.Snapshot]
	logs atomic.Pointer[[]logscan.Stats]
}

func (s *swappable) Snapshot() *incident.Snapshot { return s.snap.Load() }
func (s *swappable) LogStats() []logscan.Stats {
	if l := s.logs.Load(); l != nil {
		return *l
	}
	return nil
}

// TestHandlerCache: the team sections are kept per snapshot, the log figures are
// read on every request, and a new snapshot is shown at once.
func TestHandlerCache(t *testing.T) {
	src := &swappable{}
	src.snap.Store(handBuilt())
	logs := handLogs()
	src.logs.Store(&logs)
	h := NewHandler(src, slog.New(slog.NewTextHandler(io.Discard, nil)))
	first := get(t, h, http.MethodGet, "/report").Body.String()
	if again := get(t, h, http.MethodGet, "/report").Body.String(); again != first {
		t.Fatal("the same snapshot and logs gave another page")
	}
	more := handLogs()
	more[0].Exceptions = 4321
	src.logs.Store(&more)
	if body := get(t, h, http.MethodGet, "/report").Body.String(); !strings.Contains(body, "shop: 4321 exception events") {
		t.Error("the log figures are not read per request")
	}
	next := handBuilt()
	for i := range next.Teams {
		if next.Teams[i].Team == "payments" && next.Teams[i].Window == "28d" {
			next.Teams[i].BusFactor, next.Teams[i].TopRatio = 2, 0.45
		}
	}
	src.snap.Store(next)
	if body := get(t, h, http.MethodGet, "/report").Body.String(); !strings.Contains(body, "largest share is 45 %") {
		t.Error("a new snapshot is not shown")
	}
}

// TestOverviewManyTeams: past DefaultMaxSections teams the page lists one line per
// team, each linking to the team's own page with its charts.
func TestOverviewManyTeams(t *testing.T) {
	snap := &incident.Snapshot{At: at, Windows: incident.DefaultSettings().Windows}
	for i := range DefaultMaxSections + 1 {
		team := fmt.Sprintf("team%02d", i)
		snap.Teams = append(snap.Teams, incident.TeamWindow{Team: team, Window: "28d", HasEngagements: true, HasLoad: true,
			Responders: 2, TopRatio: 0.75, Gini: 0.25, BusFactor: 1})
		snap.Responders = append(snap.Responders,
			incident.ResponderWindow{Team: team, Person: "p1", Window: "28d", Incidents: 3, LoadRatio: 0.75},
			incident.ResponderWindow{Team: team, Person: "p2", Window: "28d", Incidents: 1, LoadRatio: 0.25})
	}
	h := NewHandler(fixture{snap: snap}, slog.New(slog.NewTextHandler(io.Discard, nil)))
	body := get(t, h, http.MethodGet, "/report").Body.String()
	if n := strings.Count(body, `<tr class="team-row"`); n != DefaultMaxSections+1 || !strings.Contains(body, `id="overview"`) ||
		strings.Contains(body, `<section class="team"`) {
		t.Fatalf("overview: %d rows\n%s", n, body)
	}
	if !strings.Contains(body, `<a href="?team=team07&amp;window=28d">team07</a>`) || !strings.Contains(body, `aria-label="largest share 75 %"`) {
		t.Errorf("overview row lacks its link or share bar:\n%s", body)
	}
	body = get(t, h, http.MethodGet, "/report?team=team07").Body.String()
	if !strings.Contains(body, `<section class="team" id="team-team07"`) || strings.Contains(body, `id="overview"`) {
		t.Errorf("a selected team shows its section:\n%s", body)
	}
}

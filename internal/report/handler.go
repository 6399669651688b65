package report

import (
	"bytes"
	"errors"
	"fmt"
	"html/template"
	"log/slog"
	"net/http"
	"sync"
	"sync/atomic"

	"github.com/hero-exporter/hero_exporter/internal/incident"
	"github.com/hero-exporter/hero_exporter/internal/logscan"
)

// Source is what the page reads: the running exporter's latest snapshot and the
// figures of its log inputs. Both are in memory; nothing is queried per request.
type Source interface {
	// Snapshot returns the latest analytics result, nil before the first.
	Snapshot() *incident.Snapshot
	// LogStats returns the figures of every configured log input.
	LogStats() []logscan.Stats
}

// Handler serves GET /report.
type Handler struct {
	src    Source
	logger *slog.Logger
	// cache holds the built report and the rendered team sections of the current
	// snapshot by selection: a snapshot is immutable, so only the live log figures
	// are built per request.
	cache atomic.Pointer[pageCache]
}

// maxCached bounds the selections kept per snapshot (windows × teams × wall).
const maxCached = 64

type pageCache struct {
	snap *incident.Snapshot
	mu   sync.Mutex
	m    map[cacheKey]*cachedPage
}

type cacheKey struct {
	window, team string
	wall         bool
}

type cachedPage struct {
	rep   *Report // without logs
	teams template.HTML
}

// NewHandler returns the /report handler.
func NewHandler(src Source, logger *slog.Logger) *Handler {
	return &Handler{src: src, logger: logger}
}

// teamsPage returns the report and rendered team sections of snap for a selection,
// from the cache when it has them.
func (h *Handler) teamsPage(snap *incident.Snapshot, key cacheKey, opts HTMLOptions) (*cachedPage, error) {
	c := h.cache.Load()
	if c == nil || c.snap != snap {
		c = &pageCache{snap: snap, m: map[cacheKey]*cachedPage{}}
		h.cache.Store(c)
	}
	c.mu.Lock()
	p := c.m[key]
	c.mu.Unlock()
	if p != nil {
		return p, nil
	}
	rep, err := Build(Input{Snapshot: snap}, Options{Window: key.window, Team: key.team, MaxPeople: DefaultMaxPeople})
	if err != nil {
		return nil, err
	}
	teams, err := renderTeams(rep, opts)
	if err != nil {
		return nil, err
	}
	p = &cachedPage{rep: rep, teams: teams}
	c.mu.Lock()
	if len(c.m) < maxCached {
		c.m[key] = p
	}
	c.mu.Unlock()
	return p, nil
}

// contentSecurityPolicy allows what the page is made of and nothing else: inline
// styles and inline SVG, no script, no request for any other resource.
const contentSecurityPolicy = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"

func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		http.Error(w, "use GET", http.StatusMethodNotAllowed)
		return
	}
	q := r.URL.Query()
	wall, err := parseWall(q.Get("wall"))
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	snap := h.src.Snapshot()
	if snap == nil {
		w.Header().Set("Retry-After", "5")
		http.Error(w, "No analytics snapshot yet: the exporter is reading its store. Reload in a few seconds.", http.StatusServiceUnavailable)
		return
	}
	opts := HTMLOptions{Wall: wall}.withDefaults()
	cp, err := h.teamsPage(snap, cacheKey{window: q.Get("window"), team: q.Get("team"), wall: wall}, opts)
	var sel *SelectionError
	if errors.As(err, &sel) {
		http.Error(w, sel.Error(), http.StatusBadRequest)
		return
	}
	if err != nil {
		h.logger.Error("building the report", "err", err)
		http.Error(w, "cannot build the report", http.StatusInternalServerError)
		return
	}
	rep := *cp.rep
	rep.Logs = buildLogs(h.src.LogStats(), snap, windowOf(snap, rep.Window), 10)
	rep.LogsOffline = false
	var b bytes.Buffer
	if err := writePage(&b, &rep, opts, cp.teams); err != nil {
		h.logger.Error("rendering the report", "err", err)
		http.Error(w, "cannot render the report", http.StatusInternalServerError)
		return
	}
	hd := w.Header()
	hd.Set("Content-Type", "text/html; charset=utf-8")
	hd.Set("Content-Security-Policy", contentSecurityPolicy)
	hd.Set("X-Content-Type-Options", "nosniff")
	hd.Set("Cache-Control", "no-store")
	if r.Method == http.MethodHead {
		return
	}
	_, _ = w.Write(b.Bytes()) // a client that went away is not an error of ours
}

func parseWall(v string) (bool, error) {
	switch v {
	case "", "0", "false":
		return false, nil
	case "1", "true":
		return true, nil
	}
	return false, fmt.Errorf("wall must be 1 or 0, got %q", v)
}

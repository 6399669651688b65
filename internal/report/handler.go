package report

import (
	"bytes"
	"errors"
	"fmt"
	"log/slog"
	"net/http"

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
}

// NewHandler returns the /report handler.
func NewHandler(src Source, logger *slog.Logger) *Handler {
	return &Handler{src: src, logger: logger}
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
	rep, err := Build(Input{Snapshot: snap, Logs: h.src.LogStats()},
		Options{Window: q.Get("window"), Team: q.Get("team"), MaxPeople: DefaultMaxPeople})
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
	var b bytes.Buffer
	if err := WriteHTML(&b, rep, HTMLOptions{Wall: wall}); err != nil {
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

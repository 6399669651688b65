package collector

import (
	"bytes"
	"compress/gzip"
	"log/slog"
	"net/http"
	"strings"
	"sync"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/common/expfmt"
)

// Handler serves /metrics: the live families of a registry (sources, exceptions, build
// info, runtime), gathered per scrape, followed by the current Exposition's encoded
// snapshot families. The two sets never share a family name.
type Handler struct {
	live    prometheus.Gatherer
	current func() *Exposition
	logger  *slog.Logger

	mu      sync.Mutex
	formats map[encodingKey]bool // what scrapers asked for, to prepare for the next snapshot
}

// NewHandler returns the /metrics handler. current returns the latest Exposition, nil
// before the first snapshot.
func NewHandler(live prometheus.Gatherer, current func() *Exposition, logger *slog.Logger) *Handler {
	return &Handler{live: live, current: current, logger: logger, formats: map[encodingKey]bool{}}
}

// Prepare encodes e in every format a scraper has asked for so far, so that the first
// scrape after a new snapshot does not pay for it.
func (h *Handler) Prepare(e *Exposition) {
	h.mu.Lock()
	keys := make([]encodingKey, 0, len(h.formats))
	for k := range h.formats {
		keys = append(keys, k)
	}
	h.mu.Unlock()
	for _, k := range keys {
		if _, err := e.Encoded(k.format, k.gzip); err != nil {
			h.logger.Error("encoding snapshot metrics", "format", string(k.format), "err", err)
		}
	}
}

func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	format := expfmt.NegotiateIncludingOpenMetrics(r.Header)
	gz := acceptsGzip(r.Header.Get("Accept-Encoding"))
	key := encodingKey{format, gz}
	h.mu.Lock()
	h.formats[key] = true
	h.mu.Unlock()

	fams, err := h.live.Gather()
	if err != nil {
		h.logger.Error("gathering live metrics", "err", err)
		http.Error(w, "error gathering metrics: "+err.Error(), http.StatusInternalServerError)
		return
	}
	live, err := encodeFamilies(fams, format, gz)
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	var snap []byte
	if e := h.current(); e != nil {
		if snap, err = e.Encoded(format, gz); err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
	}
	var tail []byte
	if format.FormatType() == expfmt.TypeOpenMetrics {
		tail = []byte("# EOF\n")
		if gz {
			var b bytes.Buffer
			zw := gzip.NewWriter(&b)
			_, _ = zw.Write(tail)
			_ = zw.Close()
			tail = b.Bytes()
		}
	}
	w.Header().Set("Content-Type", string(format))
	w.Header().Add("Vary", "Accept-Encoding")
	if gz {
		// Each part is a gzip member of its own; a gzip stream may hold several.
		w.Header().Set("Content-Encoding", "gzip")
	}
	for _, part := range [][]byte{live, snap, tail} {
		if _, err := w.Write(part); err != nil {
			return // the client went away
		}
	}
}

// acceptsGzip reports whether an Accept-Encoding header allows gzip (q > 0).
func acceptsGzip(header string) bool {
	for _, part := range strings.Split(header, ",") {
		fields := strings.Split(part, ";")
		if strings.TrimSpace(fields[0]) != "gzip" {
			continue
		}
		for _, p := range fields[1:] {
			if q := strings.TrimSpace(p); q == "q=0" || q == "q=0.0" || q == "q=0.00" || q == "q=0.000" {
				return false
			}
		}
		return true
	}
	return false
}

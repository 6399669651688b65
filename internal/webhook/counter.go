// Package webhook holds what every push endpoint of the exporter shares. Counter counts
// an endpoint's requests by the HTTP status code of the answer, accepted and refused
// alike, for hero_webhook_requests_total{source,code}: a middleware, so that every
// answer is counted whichever layer (authentication, content type, size limit, decoding,
// the store) wrote it.
package webhook

import (
	"net/http"
	"strconv"
	"sync"
)

// Counter counts requests by status code. The zero value is ready; it is safe for
// concurrent use.
type Counter struct {
	mu    sync.Mutex
	codes map[string]float64
}

// Wrap returns next with every answer counted by its status code (200 when next writes
// a body without a header, as net/http does).
func (c *Counter) Wrap(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rec := &recorder{ResponseWriter: w}
		defer func() { c.add(rec.status()) }()
		next.ServeHTTP(rec, r)
	})
}

func (c *Counter) add(code int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.codes == nil {
		c.codes = map[string]float64{}
	}
	c.codes[strconv.Itoa(code)]++
}

// Counts returns a copy of the counts by status code ("200", "413", ...).
func (c *Counter) Counts() map[string]float64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := make(map[string]float64, len(c.codes))
	for k, v := range c.codes {
		out[k] = v
	}
	return out
}

// recorder remembers the status code written through it.
type recorder struct {
	http.ResponseWriter
	code int
}

func (r *recorder) WriteHeader(code int) {
	if r.code == 0 {
		r.code = code
	}
	r.ResponseWriter.WriteHeader(code)
}

func (r *recorder) Write(b []byte) (int, error) {
	if r.code == 0 {
		r.code = http.StatusOK
	}
	return r.ResponseWriter.Write(b)
}

// Unwrap lets http.ResponseController reach the underlying writer.
func (r *recorder) Unwrap() http.ResponseWriter { return r.ResponseWriter }

func (r *recorder) status() int {
	if r.code == 0 {
		return http.StatusOK // nothing written: net/http answers 200
	}
	return r.code
}

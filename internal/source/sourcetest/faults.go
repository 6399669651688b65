package sourcetest

import (
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
)

// Path selects the requests for path p.
func Path(p string) func(*http.Request) bool {
	return func(r *http.Request) bool { return r.URL.Path == p }
}

// PathSuffix selects the requests for a path that ends in suffix.
func PathSuffix(suffix string) func(*http.Request) bool {
	return func(r *http.Request) bool { return strings.HasSuffix(r.URL.Path, suffix) }
}

// HangOnce is a fault that holds the first request match selects until the client
// gives up on it (or the test ends): a timeout. Every other request is served.
func HangOnce(t testing.TB, match func(*http.Request) bool) FaultFunc {
	done := make(chan struct{})
	t.Cleanup(func() { close(done) })
	var hung atomic.Bool // handlers run on several goroutines
	return func(_ http.ResponseWriter, r *http.Request, _ int) bool {
		if match(r) && hung.CompareAndSwap(false, true) {
			select {
			case <-r.Context().Done():
			case <-done:
			}
			return true
		}
		return false
	}
}

// Respond is a fault that answers every request match selects with body as
// contentType, status 200: a broken response. Every other request is served.
func Respond(match func(*http.Request) bool, contentType, body string) FaultFunc {
	return func(w http.ResponseWriter, r *http.Request, _ int) bool {
		if !match(r) {
			return false
		}
		w.Header().Set("Content-Type", contentType)
		_, _ = w.Write([]byte(body))
		return true
	}
}

// Storm is a fault that answers requests 1 to n with the headers hdr and then answer
// (a 429, say); later requests are served.
func Storm(n int, hdr map[string]string, answer func(http.ResponseWriter)) FaultFunc {
	return func(w http.ResponseWriter, _ *http.Request, i int) bool {
		if i > n {
			return false
		}
		for k, v := range hdr {
			w.Header().Set(k, v)
		}
		answer(w)
		return true
	}
}

// Always is a fault that answers every request with answer.
func Always(answer func(http.ResponseWriter)) FaultFunc {
	return func(w http.ResponseWriter, _ *http.Request, _ int) bool {
		answer(w)
		return true
	}
}

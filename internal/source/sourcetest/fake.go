package sourcetest

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"sync"
)

// Recorded is one response of a fake API.
type Recorded struct {
	Method, Path, Query string
	Status              int
	Header              http.Header
	Body                []byte
	// Negative marks a deliberately invalid response (a conformance test's control).
	Negative bool
}

// FaultFunc may answer request number n (1-based) itself by writing to w and returning
// true. Its responses are deliberately off-spec and are not recorded, except 429s
// (unless Recorder.NoFaults).
type FaultFunc func(w http.ResponseWriter, r *http.Request, n int) bool

// Recorder is the plumbing every fake API shares: it counts the requests, lets a test
// inject faults and records the responses for the conformance tests. A fake embeds it
// and calls Handle from ServeHTTP.
type Recorder struct {
	// Prefix is cut from the recorded paths (an API served below a path).
	Prefix string
	// NoFaults leaves every fault's response unrecorded, 429s too.
	NoFaults bool

	mu       sync.Mutex
	fault    FaultFunc
	requests []string
	record   []Recorded
}

// RequestCount is the number of requests served since the last ResetRequests.
func (x *Recorder) RequestCount() int {
	x.mu.Lock()
	defer x.mu.Unlock()
	return len(x.requests)
}

// Requests are "METHOD /path?query" of the requests since the last ResetRequests.
func (x *Recorder) Requests() []string {
	x.mu.Lock()
	defer x.mu.Unlock()
	return slices.Clone(x.requests)
}

// ResetRequests forgets the requests served so far.
func (x *Recorder) ResetRequests() {
	x.mu.Lock()
	x.requests = nil
	x.mu.Unlock()
}

// Recorded are the responses given (see FaultFunc for which are left out).
func (x *Recorder) Recorded() []Recorded {
	x.mu.Lock()
	defer x.mu.Unlock()
	return slices.Clone(x.record)
}

// SetFault installs (or, with nil, removes) a fault.
func (x *Recorder) SetFault(fn FaultFunc) {
	x.mu.Lock()
	x.fault = fn
	x.mu.Unlock()
}

// Handle counts r, lets the fault answer it, or else calls serve with data locked (the
// fake's fixtures), records the response and writes it to w.
func (x *Recorder) Handle(w http.ResponseWriter, r *http.Request, data sync.Locker, serve http.HandlerFunc) {
	x.mu.Lock()
	x.requests = append(x.requests, r.Method+" "+r.URL.Path+"?"+r.URL.RawQuery)
	n := len(x.requests)
	fault := x.fault
	x.mu.Unlock()
	if fault != nil {
		rec := httptest.NewRecorder()
		if fault(rec, r, n) {
			x.flush(w, r, rec, !x.NoFaults && rec.Code == http.StatusTooManyRequests)
			return
		}
	}
	rec := httptest.NewRecorder()
	data.Lock()
	serve(rec, r)
	data.Unlock()
	x.flush(w, r, rec, true)
}

func (x *Recorder) flush(w http.ResponseWriter, r *http.Request, rec *httptest.ResponseRecorder, keep bool) {
	if keep {
		x.mu.Lock()
		x.record = append(x.record, Recorded{Method: r.Method, Path: strings.TrimPrefix(r.URL.Path, x.Prefix),
			Query: r.URL.RawQuery, Status: rec.Code, Header: rec.Header().Clone(), Body: rec.Body.Bytes()})
		x.mu.Unlock()
	}
	for k, v := range rec.Header() {
		w.Header()[k] = v
	}
	w.WriteHeader(rec.Code)
	_, _ = w.Write(rec.Body.Bytes())
}

// PageParam reads a positive integer query parameter of a fake's pagination: def when
// it is absent or empty, ok false when it is not a number ≥ 1.
func PageParam(q map[string][]string, key string, def int) (n int, ok bool) {
	vs := q[key]
	if len(vs) == 0 || vs[0] == "" {
		return def, true
	}
	n, err := strconv.Atoi(vs[0])
	return n, err == nil && n >= 1
}

// WriteJSON answers with status and v encoded as JSON, as contentType; headers set
// before stay.
func WriteJSON(w http.ResponseWriter, status int, contentType string, v any) {
	w.Header().Set("Content-Type", contentType)
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

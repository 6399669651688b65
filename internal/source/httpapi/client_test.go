package httpapi

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// fakeClock advances instantly when slept on and records the sleeps.
type fakeClock struct {
	mu     sync.Mutex
	now    time.Time
	sleeps []time.Duration
}

func (f *fakeClock) Now() time.Time {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.now
}

func (f *fakeClock) Sleep(ctx context.Context, d time.Duration) error {
	f.mu.Lock()
	f.sleeps = append(f.sleeps, d)
	f.now = f.now.Add(d)
	f.mu.Unlock()
	return ctx.Err()
}

func (f *fakeClock) total() time.Duration {
	f.mu.Lock()
	defer f.mu.Unlock()
	var t time.Duration
	for _, d := range f.sleeps {
		t += d
	}
	return t
}

const secret = "s3cr3t-token-value"

func newTest(t *testing.T, h http.HandlerFunc, mod func(*Config)) (*Client, *fakeClock, *bytes.Buffer) {
	t.Helper()
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	clk := &fakeClock{now: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
	var logs bytes.Buffer
	cfg := Config{
		BaseURL: srv.URL,
		Header:  http.Header{"Authorization": {"Token token=" + secret}},
		Clock:   clk,
		Jitter:  func() float64 { return 0.5 },
		Logger:  slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
	}
	if mod != nil {
		mod(&cfg)
	}
	c, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return c, clk, &logs
}

func TestRetryAfterSecondsAndRemaining(t *testing.T) {
	var n atomic.Int32
	c, clk, logs := newTest(t, func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "Token token="+secret {
			t.Errorf("auth header missing")
		}
		w.Header().Set("ratelimit-remaining", "42")
		if n.Add(1) <= 2 {
			w.Header().Set("Retry-After", "7")
			w.WriteHeader(http.StatusTooManyRequests)
			_, _ = w.Write([]byte(`{"error":{"code":2020,"message":"Rate Limit Exceeded"}}`))
			return
		}
		_, _ = w.Write([]byte(`{"ok":true}`))
	}, nil)
	var out struct{ OK bool }
	if err := c.GetJSON(context.Background(), "/things", nil, &out); err != nil || !out.OK {
		t.Fatalf("err=%v out=%v", err, out)
	}
	if got := clk.total(); got != 2*(7*time.Second+500*time.Millisecond) {
		t.Errorf("waited %v", got)
	}
	st := c.Stats()
	if st.Requests["429"] != 2 || st.Requests["200"] != 1 || !st.HasRateLimit || st.RateLimitRemaining != 42 {
		t.Errorf("stats %+v", st)
	}
	if strings.Contains(logs.String(), secret) {
		t.Error("token in logs")
	}
}

func TestRetryAfterDateAndRatelimitReset(t *testing.T) {
	var n atomic.Int32
	var c *Client
	var clk *fakeClock
	c, clk, _ = newTest(t, func(w http.ResponseWriter, r *http.Request) {
		switch n.Add(1) {
		case 1:
			w.Header().Set("Retry-After", clk.Now().Add(20*time.Second).Format(http.TimeFormat))
			w.WriteHeader(http.StatusTooManyRequests)
		case 2:
			w.Header().Set("ratelimit-reset", "3")
			w.WriteHeader(http.StatusTooManyRequests)
		default:
			_, _ = w.Write([]byte(`{}`))
		}
	}, nil)
	if _, err := c.Get(context.Background(), "/x", nil); err != nil {
		t.Fatal(err)
	}
	want := []time.Duration{20*time.Second + 500*time.Millisecond, 3*time.Second + 500*time.Millisecond}
	if len(clk.sleeps) != 2 || clk.sleeps[0] != want[0] || clk.sleeps[1] != want[1] {
		t.Errorf("sleeps %v want %v", clk.sleeps, want)
	}
}

func TestBackoffWithoutHeaderIsExponentialAndBounded(t *testing.T) {
	var n atomic.Int32
	c, clk, _ := newTest(t, func(w http.ResponseWriter, r *http.Request) {
		n.Add(1)
		w.WriteHeader(http.StatusTooManyRequests)
	}, func(c *Config) { c.MaxAttempts = 4 })
	_, err := c.Get(context.Background(), "/storm", nil)
	var he *Error
	if !errors.As(err, &he) || he.Status != 429 || he.Attempts != 4 || he.Path != "/storm" {
		t.Fatalf("err = %v", err)
	}
	if n.Load() != 4 {
		t.Errorf("attempts %d", n.Load())
	}
	// equal jitter with jitter()=0.5: 0.75 × 1s, 2s, 4s.
	want := []time.Duration{750 * time.Millisecond, 1500 * time.Millisecond, 3 * time.Second}
	for i, d := range want {
		if clk.sleeps[i] != d {
			t.Errorf("sleep %d = %v want %v", i, clk.sleeps[i], d)
		}
	}
}

func TestServerErrorsThenSuccess(t *testing.T) {
	var n atomic.Int32
	c, _, _ := newTest(t, func(w http.ResponseWriter, r *http.Request) {
		if n.Add(1) <= 3 {
			w.WriteHeader(http.StatusBadGateway)
			return
		}
		_, _ = w.Write([]byte(`[]`))
	}, nil)
	if _, err := c.Get(context.Background(), "/x", nil); err != nil {
		t.Fatal(err)
	}
	if st := c.Stats(); st.Requests["502"] != 3 || st.Requests["200"] != 1 || st.HasRateLimit {
		t.Errorf("stats %+v", st)
	}
}

func TestClientErrorNotRetried(t *testing.T) {
	var n atomic.Int32
	c, _, _ := newTest(t, func(w http.ResponseWriter, r *http.Request) {
		n.Add(1)
		w.WriteHeader(http.StatusBadRequest)
		_, _ = w.Write([]byte(`{"message":"Invalid Input Provided: Offset must be less than 10000."}`))
	}, nil)
	_, err := c.Get(context.Background(), "/log_entries", map[string][]string{"offset": {"10000"}})
	if err == nil || n.Load() != 1 {
		t.Fatalf("err=%v n=%d", err, n.Load())
	}
	for _, want := range []string{"GET /log_entries", "HTTP 400", "Invalid Input Provided", "Offset must be"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("%q lacks %q", err, want)
		}
	}
	if strings.Contains(err.Error(), "offset=") {
		t.Errorf("query in error: %v", err)
	}
}

func TestTimeoutIsRetriedAndCountedAsError(t *testing.T) {
	var n atomic.Int32
	release := make(chan struct{})
	t.Cleanup(func() { close(release) })
	c, _, _ := newTest(t, func(w http.ResponseWriter, r *http.Request) {
		if n.Add(1) == 1 {
			select {
			case <-r.Context().Done():
			case <-release:
			}
			return
		}
		_, _ = w.Write([]byte(`{}`))
	}, func(c *Config) { c.Timeout = 50 * time.Millisecond })
	if _, err := c.Get(context.Background(), "/slow", nil); err != nil {
		t.Fatal(err)
	}
	if st := c.Stats(); st.Requests["error"] != 1 || st.Requests["200"] != 1 {
		t.Errorf("stats %+v", st)
	}
}

func TestNetworkErrorHasNoURL(t *testing.T) {
	srv := httptest.NewServer(http.NotFoundHandler())
	base := srv.URL
	srv.Close()
	clk := &fakeClock{}
	c, err := New(Config{BaseURL: base, Clock: clk, MaxAttempts: 2, Header: http.Header{"Authorization": {secret}}})
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.Get(context.Background(), "/users", map[string][]string{"q": {"x"}})
	if err == nil || strings.Contains(err.Error(), base) || strings.Contains(err.Error(), "q=x") || strings.Contains(err.Error(), secret) {
		t.Fatalf("err = %v", err)
	}
	if !strings.HasPrefix(err.Error(), "GET /users (after 2 attempts)") {
		t.Errorf("err = %v", err)
	}
	if c.Stats().Requests["error"] != 2 {
		t.Errorf("stats %+v", c.Stats())
	}
}

type shaped struct {
	Items *[]int `json:"items"`
}

func (s *shaped) Validate() error {
	if s.Items == nil {
		return errors.New("missing field items")
	}
	return nil
}

func TestDecodeJSON(t *testing.T) {
	for name, tc := range map[string]struct {
		ct, body, want string
	}{
		"html":      {"text/html", "<html><body>502 Bad Gateway</body></html>", "GET /items: HTTP 200: response is not JSON"},
		"malformed": {"application/json", `{"items": [1,2`, "malformed JSON"},
		"shape":     {"application/json", `{"other": 1}`, "unexpected response shape: missing field items"},
		"type":      {"application/json", `{"items": "x"}`, "malformed JSON"},
		"ok":        {"application/json", `{"items": [1]}`, ""},
	} {
		t.Run(name, func(t *testing.T) {
			c, _, _ := newTest(t, func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", tc.ct)
				_, _ = w.Write([]byte(tc.body))
			}, nil)
			var out shaped
			err := c.GetJSON(context.Background(), "/items", nil, &out)
			if tc.want == "" {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), "GET /items") {
				t.Fatalf("err = %v, want %q", err, tc.want)
			}
		})
	}
}

func TestLimiterUsesInjectedClock(t *testing.T) {
	c, clk, _ := newTest(t, func(w http.ResponseWriter, r *http.Request) {
		_, _ = w.Write([]byte(`{}`))
	}, func(c *Config) { c.RequestsPerMinute = 60; c.Burst = 2 })
	for range 5 {
		if _, err := c.Get(context.Background(), "/x", nil); err != nil {
			t.Fatal(err)
		}
	}
	// Two from the burst, then one per second.
	if got := clk.total(); got != 3*time.Second {
		t.Errorf("limiter waited %v (sleeps %v)", got, clk.sleeps)
	}
}

func TestConcurrentStats(t *testing.T) {
	c, _, _ := newTest(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-RateLimit-Remaining", "5")
		_, _ = w.Write([]byte(`{}`))
	}, nil)
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			for range 5 {
				_, _ = c.Get(context.Background(), "/x", nil)
				_ = c.Stats()
			}
		})
	}
	wg.Wait()
	if st := c.Stats(); st.Requests["200"] != 40 || st.RateLimitRemaining != 5 {
		t.Errorf("stats %+v", st)
	}
}

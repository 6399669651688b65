package httpapi

import (
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

func TestRetryAfterHeadersAreReadLast(t *testing.T) {
	var n atomic.Int32
	c, clk, _ := newTest(t, func(w http.ResponseWriter, r *http.Request) {
		if n.Add(1) == 1 {
			w.Header().Set("X-RateLimit-State", "THROTTLED")
			w.Header().Set("X-RateLimit-Period-In-Sec", "12")
			w.WriteHeader(http.StatusTooManyRequests)
			_, _ = w.Write([]byte(`{"message":"You are making too many requests!","took":0.0,"requestId":"r1"}`))
			return
		}
		_, _ = w.Write([]byte(`{}`))
	}, func(cfg *Config) { cfg.RetryAfterHeaders = []string{"X-RateLimit-Period-In-Sec"} })
	if _, err := c.Get(t.Context(), "/v2/alerts", nil); err != nil {
		t.Fatal(err)
	}
	if got := clk.total(); got != 12*time.Second+500*time.Millisecond {
		t.Errorf("waited %v, want 12.5s (the header plus half a second of jitter)", got)
	}
	// Without the option the same header is not a hint: plain backoff (1s base, jitter 0.5 → 0.75s).
	n.Store(0)
	c2, clk2, _ := newTest(t, func(w http.ResponseWriter, r *http.Request) {
		if n.Add(1) == 1 {
			w.Header().Set("X-RateLimit-Period-In-Sec", "12")
			w.WriteHeader(http.StatusTooManyRequests)
			return
		}
		_, _ = w.Write([]byte(`{}`))
	}, nil)
	if _, err := c2.Get(t.Context(), "/x", nil); err != nil {
		t.Fatal(err)
	}
	if got := clk2.total(); got != 750*time.Millisecond {
		t.Errorf("waited %v without the option", got)
	}
}

func TestResolveLink(t *testing.T) {
	c, err := New(Config{BaseURL: "https://api.eu.opsgenie.com/base"})
	if err != nil {
		t.Fatal(err)
	}
	path, q, err := c.ResolveLink("https://api.eu.opsgenie.com/base/v2/alerts?query=createdAt%3E%3D1&offset=100&limit=100")
	if err != nil || path != "/v2/alerts" || q.Get("offset") != "100" || q.Get("query") != "createdAt>=1" {
		t.Errorf("absolute: %q %v %v", path, q, err)
	}
	if path, _, err := c.ResolveLink("/base/v2/users?offset=5"); err != nil || path != "/v2/users" {
		t.Errorf("relative: %q %v", path, err)
	}
	for _, bad := range []string{"https://evil.example.com/base/v2/alerts?offset=1", "http://api.eu.opsgenie.com/base/v2/alerts",
		"https://api.eu.opsgenie.com/other/v2/alerts", "https://api.eu.opsgenie.com/basement", "https://u:p@api.eu.opsgenie.com/base/x", ""} {
		if _, _, err := c.ResolveLink(bad); err == nil {
			t.Errorf("%q accepted", bad)
		} else if strings.Contains(err.Error(), "offset=") {
			t.Errorf("error quotes the query: %v", err)
		}
	}
}

// Without a vendor's ErrorMessage, the generic {"message"} and {"error": "…"} shapes
// give the API message.
func TestGenericMessage(t *testing.T) {
	for body, want := range map[string]string{
		`{"message":"Could not authenticate","took":0.001,"requestId":"r"}`: "Could not authenticate",
		`{"error":"Rate limit exceeded."}`:                                  "Rate limit exceeded.",
		`{"error":{"code":2006,"message":"Authentication failed"}}`:         "",
		`{"errors":[{"title":"Record not found"}]}`:                         "",
		`not json`: "",
	} {
		if got := GenericMessage([]byte(body)); got != want {
			t.Errorf("GenericMessage(%s) = %q, want %q", body, got, want)
		}
	}
}

// A vendor's ErrorMessage reads the body of a failed request; its text is bounded.
func TestVendorErrorMessage(t *testing.T) {
	c, _, _ := newTest(t, func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusUnprocessableEntity)
		_, _ = w.Write([]byte(`{"problem":"page_size too large"}`))
	}, func(c *Config) {
		c.ErrorMessage = func(body []byte) string {
			var e struct{ Problem string }
			_ = json.Unmarshal(body, &e)
			return "  " + e.Problem + strings.Repeat("x", 400)
		}
	})
	_, err := c.Get(t.Context(), "/v2/incidents", nil)
	var he *Error
	if !errors.As(err, &he) || he.Status != 422 || !strings.HasPrefix(he.APIMessage, "page_size too large") || len(he.APIMessage) != 300+len("…") ||
		!strings.Contains(err.Error(), "GET /v2/incidents: HTTP 422: page_size too large") {
		t.Errorf("err = %v", err)
	}
}

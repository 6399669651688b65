package httpapi

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
)

// A redirect to the same host name on another port, or from https to http, must never
// carry the token: net/http keeps Authorization when only the port changes.
func TestRedirectOutsideOriginRefusedWithoutToken(t *testing.T) {
	var leaked atomic.Int32
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "" || r.Header.Get("X-Api-Key") != "" {
			leaked.Add(1)
		}
		w.Write([]byte(`{}`))
	}))
	defer other.Close()
	plain := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "" {
			leaked.Add(1)
		}
		w.Write([]byte(`{}`))
	}))
	defer plain.Close()

	cases := []struct {
		name   string
		target string
		tls    bool
	}{
		// httptest servers are all on 127.0.0.1: same host name, another port.
		{"same host other port", other.URL + "/elsewhere?x=1", false},
		{"https to http downgrade", plain.URL + "/plain", true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				http.Redirect(w, r, tc.target, http.StatusFound)
			})
			var srv *httptest.Server
			if tc.tls {
				srv = httptest.NewTLSServer(h)
			} else {
				srv = httptest.NewServer(h)
			}
			defer srv.Close()
			hc := srv.Client()
			c, err := New(Config{
				BaseURL: srv.URL, HTTPClient: hc, MaxAttempts: 1,
				Header: http.Header{"Authorization": {"Token token=" + secret}, "X-Api-Key": {secret}},
			})
			if err != nil {
				t.Fatal(err)
			}
			_, err = c.Get(context.Background(), "/incidents", nil)
			if err == nil {
				t.Fatal("redirect outside the origin was followed")
			}
			if !strings.Contains(err.Error(), "refused") || strings.Contains(err.Error(), secret) || strings.Contains(err.Error(), "x=1") {
				t.Fatalf("error = %q; want a refusal naming no secret and no query", err)
			}
			if hc.CheckRedirect != nil {
				t.Fatal("the caller's http.Client was modified")
			}
		})
	}
	if n := leaked.Load(); n != 0 {
		t.Fatalf("token sent to another origin %d times", n)
	}
}

func TestRedirectWithinOriginFollowed(t *testing.T) {
	var got atomic.Value
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/old" {
			http.Redirect(w, r, "/new", http.StatusMovedPermanently)
			return
		}
		got.Store(r.Header.Get("Authorization"))
		w.Write([]byte(`{}`))
	}))
	defer srv.Close()
	c, err := New(Config{BaseURL: srv.URL, Header: http.Header{"Authorization": {"Bearer " + secret}}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Get(context.Background(), "/old", nil); err != nil {
		t.Fatal(err)
	}
	if got.Load() != "Bearer "+secret {
		t.Fatalf("same-origin redirect lost the token: %v", got.Load())
	}
}

// An API that echoes the request's credentials in its error body (or in a malformed 2xx
// body) must not put them in an error or a log line.
func TestEchoedCredentialsRedacted(t *testing.T) {
	bodies := map[string]string{
		"/echo-header":  `{"message":"bad request, headers were Authorization: Token token=` + secret + `"}`,
		"/echo-bearer":  `{"error":"invalid Bearer abcdefghijklmnop1234 for this account"}`,
		"/echo-apikey":  `{"message":"api_key=zzzz9999yyyy8888 is not allowed"}`,
		"/echo-json":    `{"message":"{\"authorization\": \"GenieKey 0123456789abcdef\"}"}`,
		"/echo-rawbody": `Token token=` + secret,
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/echo-rawbody" {
			w.WriteHeader(200)
		} else {
			w.WriteHeader(400)
		}
		w.Write([]byte(bodies[r.URL.Path]))
	}))
	defer srv.Close()
	c, err := New(Config{BaseURL: srv.URL, MaxAttempts: 1, Header: http.Header{"Authorization": {"Token token=" + secret}}})
	if err != nil {
		t.Fatal(err)
	}
	for path := range bodies {
		var out map[string]any
		err := c.GetJSON(context.Background(), path, nil, &out)
		if err == nil {
			t.Fatalf("%s: want an error", path)
		}
		msg := err.Error()
		for _, s := range []string{secret, "abcdefghijklmnop1234", "zzzz9999yyyy8888", "0123456789abcdef"} {
			if strings.Contains(msg, s) {
				t.Errorf("%s: error %q contains a credential", path, msg)
			}
		}
		if path != "/echo-rawbody" && !strings.Contains(msg, redacted) {
			t.Errorf("%s: error %q does not show the redaction", path, msg)
		}
	}
}

// Ordinary error messages that merely mention a credential word keep their words.
func TestRedactionKeepsPlainMessages(t *testing.T) {
	r := newRedactor(http.Header{"Authorization": {"Token token=" + secret}})
	for _, s := range []string{"Invalid token provided", "password is required", "Not Found", "the api key has expired"} {
		if got := r.String(s); got != s {
			t.Errorf("%q became %q", s, got)
		}
	}
}

// Package httpapi is the HTTP layer every API source shares: a base URL, caller-set
// headers (authentication), a per-request timeout, a client-side rate limiter, 429
// handling (Retry-After, ratelimit-reset, else exponential backoff with jitter), bounded
// retries with jitter on 5xx and network errors, JSON decoding with shape checks, and
// request counters exposed as source.APIStats.
//
// Secrets travel only in headers. Neither headers nor query strings appear in an error or
// a log line: errors name the method and the endpoint path.
package httpapi

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math"
	"math/rand/v2"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"golang.org/x/time/rate"

	"github.com/hero-exporter/hero_exporter/internal/source"
)

// Clock is the time the client waits on. Tests inject a fake one so backoff never
// sleeps for real.
type Clock = source.Clock

// RealClock is the wall clock.
type RealClock struct{}

// Now returns time.Now().
func (RealClock) Now() time.Time { return time.Now() }

// Sleep waits d or until ctx is done.
func (RealClock) Sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// Config configures a Client. Zero values take the documented defaults.
type Config struct {
	// BaseURL is prepended to every request path, e.g. "https://api.pagerduty.com".
	BaseURL string
	// Header is sent with every request (authentication, Accept). It is never logged.
	Header http.Header
	// Timeout bounds one attempt of one request (default 30s).
	Timeout time.Duration
	// RequestsPerMinute is the client-side limit (0: unlimited); Burst defaults to 1/6
	// of a minute's budget, at least 1.
	RequestsPerMinute float64
	Burst             int
	// MaxAttempts bounds the attempts of one request, retries included (default 6).
	MaxAttempts int
	// BaseBackoff is the first backoff when the server gives no hint (default 1s);
	// it doubles per attempt up to MaxBackoff (default 60s). MaxRetryWait caps a wait the
	// server asks for (default 5m).
	BaseBackoff  time.Duration
	MaxBackoff   time.Duration
	MaxRetryWait time.Duration
	// MaxBodyBytes bounds a response body (default 64 MiB).
	MaxBodyBytes int64
	// RetryAfterHeaders are further response headers that say, in seconds, how long to
	// wait after a 429 (e.g. Opsgenie's X-RateLimit-Period-In-Sec). They are read only
	// when neither Retry-After nor ratelimit-reset / X-RateLimit-Reset is present.
	RetryAfterHeaders []string
	// ErrorMessage extracts the API's own error text from a non-2xx JSON body (default
	// GenericMessage); the vendor's error body format lives in the vendor's package.
	ErrorMessage func(body []byte) string
	// HTTPClient sends the requests (default: a client with no overall timeout; the
	// per-attempt Timeout applies).
	HTTPClient *http.Client
	// Clock and Jitter (a source of [0,1) numbers) are injectable for tests.
	Clock  Clock
	Jitter func() float64
	Logger *slog.Logger
}

// Client is safe for concurrent use.
type Client struct {
	base    *url.URL
	header  http.Header
	cfg     Config
	clock   Clock
	jitter  func() float64
	limiter *rate.Limiter
	http    *http.Client
	logger  *slog.Logger
	redact  *redactor

	mu            sync.Mutex
	requests      map[string]float64
	remaining     float64
	haveRemaining bool
}

// New checks cfg and returns a client.
func New(cfg Config) (*Client, error) {
	if cfg.BaseURL == "" {
		return nil, errors.New("httpapi: base URL is empty")
	}
	base, err := url.Parse(strings.TrimRight(cfg.BaseURL, "/"))
	if err != nil {
		return nil, fmt.Errorf("httpapi: invalid base URL: %w", err)
	}
	if base.Scheme != "http" && base.Scheme != "https" || base.Host == "" {
		return nil, fmt.Errorf("httpapi: base URL %q must be an absolute http(s) URL", base.Redacted())
	}
	if base.User != nil {
		return nil, errors.New("httpapi: base URL must not carry credentials")
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = 30 * time.Second
	}
	if cfg.MaxAttempts <= 0 {
		cfg.MaxAttempts = 6
	}
	if cfg.BaseBackoff <= 0 {
		cfg.BaseBackoff = time.Second
	}
	if cfg.MaxBackoff <= 0 {
		cfg.MaxBackoff = time.Minute
	}
	if cfg.MaxRetryWait <= 0 {
		cfg.MaxRetryWait = 5 * time.Minute
	}
	if cfg.MaxBodyBytes <= 0 {
		cfg.MaxBodyBytes = 64 << 20
	}
	if cfg.ErrorMessage == nil {
		cfg.ErrorMessage = GenericMessage
	}
	c := &Client{
		base:     base,
		header:   cfg.Header.Clone(),
		cfg:      cfg,
		clock:    cfg.Clock,
		jitter:   cfg.Jitter,
		http:     cfg.HTTPClient,
		logger:   cfg.Logger,
		requests: map[string]float64{},
	}
	if c.header == nil {
		c.header = http.Header{}
	}
	if c.clock == nil {
		c.clock = RealClock{}
	}
	if c.jitter == nil {
		c.jitter = rand.Float64
	}
	// A copy, so that the redirect policy below never changes a client the caller shares.
	hc := http.Client{}
	if c.http != nil {
		hc = *c.http
	}
	hc.CheckRedirect = c.checkRedirect
	c.http = &hc
	c.redact = newRedactor(c.header)
	if c.logger == nil {
		c.logger = slog.New(slog.DiscardHandler)
	}
	if cfg.RequestsPerMinute > 0 {
		burst := cfg.Burst
		if burst <= 0 {
			burst = max(1, int(cfg.RequestsPerMinute/6))
		}
		c.limiter = rate.NewLimiter(rate.Limit(cfg.RequestsPerMinute/60), burst)
	}
	return c, nil
}

// Error is a failed request. It names the method and endpoint path, never the query
// string or a header.
type Error struct {
	Method string
	Path   string
	// Status is the HTTP status of the last attempt, 0 when there was no response.
	Status int
	// Attempts made.
	Attempts int
	// APIMessage is the API's own error text, when its body had one.
	APIMessage string
	Err        error
}

func (e *Error) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s", e.Method, e.Path)
	if e.Attempts > 1 {
		fmt.Fprintf(&b, " (after %d attempts)", e.Attempts)
	}
	if e.Status != 0 {
		fmt.Fprintf(&b, ": HTTP %d", e.Status)
	}
	if e.APIMessage != "" {
		fmt.Fprintf(&b, ": %s", e.APIMessage)
	}
	if e.Err != nil {
		fmt.Fprintf(&b, ": %v", e.Err)
	}
	return b.String()
}

func (e *Error) Unwrap() error { return e.Err }

// Response is a successful (2xx) response, body read in full.
type Response struct {
	Method string
	Path   string
	Status int
	Header http.Header
	Body   []byte

	redact *redactor
}

// Get sends a GET to path (relative to the base URL) with query.
func (c *Client) Get(ctx context.Context, path string, query url.Values) (*Response, error) {
	return c.Do(ctx, http.MethodGet, path, query, nil)
}

// GetJSON sends a GET and decodes the JSON body into out (see DecodeJSON).
func (c *Client) GetJSON(ctx context.Context, path string, query url.Values, out any) error {
	resp, err := c.Get(ctx, path, query)
	if err != nil {
		return err
	}
	return resp.DecodeJSON(out)
}

// Do sends one request, retrying as configured, and returns the 2xx response. Any
// other outcome is an *Error.
func (c *Client) Do(ctx context.Context, method, path string, query url.Values, body []byte) (*Response, error) {
	u := *c.base
	u.Path = c.base.Path + "/" + strings.TrimLeft(path, "/")
	u.RawQuery = query.Encode()
	epath := "/" + strings.TrimLeft(path, "/")
	fail := func(attempt, status int, msg string, err error) *Error {
		return &Error{Method: method, Path: epath, Status: status, Attempts: attempt,
			APIMessage: c.redact.String(msg), Err: c.redact.Err(err)}
	}

	for attempt := 1; ; attempt++ {
		if err := c.wait(ctx); err != nil {
			return nil, fail(attempt-1, 0, "", err)
		}
		status, hdr, data, err := c.once(ctx, method, u.String(), body)
		if err != nil {
			c.count("error")
			if ctx.Err() != nil {
				return nil, fail(attempt, 0, "", ctx.Err())
			}
			c.logger.Debug("request failed", "method", method, "path", epath, "attempt", attempt, "err", c.redact.Err(err))
			if attempt >= c.cfg.MaxAttempts {
				return nil, fail(attempt, 0, "", err)
			}
			if serr := c.clock.Sleep(ctx, c.backoff(attempt)); serr != nil {
				return nil, fail(attempt, 0, "", serr)
			}
			continue
		}
		c.count(strconv.Itoa(status))
		c.noteRemaining(hdr)
		c.logger.Debug("request", "method", method, "path", epath, "status", status, "attempt", attempt)
		if status >= 200 && status < 300 {
			return &Response{Method: method, Path: epath, Status: status, Header: hdr, Body: data, redact: c.redact}, nil
		}
		msg := c.apiMessage(data)
		retryable := status == http.StatusTooManyRequests || status >= 500
		if !retryable || attempt >= c.cfg.MaxAttempts {
			return nil, fail(attempt, status, msg, nil)
		}
		d := c.backoff(attempt)
		if status == http.StatusTooManyRequests {
			if hint, ok := c.retryHint(hdr); ok {
				// The server's own hint plus a little jitter so that many clients do not
				// return in the same instant.
				d = hint + time.Duration(c.jitter()*float64(time.Second))
			}
		}
		c.logger.Debug("retrying", "method", method, "path", epath, "status", status, "attempt", attempt, "wait", d)
		if serr := c.clock.Sleep(ctx, d); serr != nil {
			return nil, fail(attempt, status, msg, serr)
		}
	}
}

// once sends one attempt with its own timeout.
func (c *Client) once(ctx context.Context, method, rawURL string, body []byte) (int, http.Header, []byte, error) {
	actx, cancel := context.WithTimeout(ctx, c.cfg.Timeout)
	defer cancel()
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(actx, method, rawURL, rd)
	if err != nil {
		return 0, nil, nil, stripURL(err)
	}
	for k, vs := range c.header {
		for _, v := range vs {
			req.Header.Add(k, v)
		}
	}
	if body != nil && req.Header.Get("Content-Type") == "" {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := c.http.Do(req)
	if err != nil {
		if actx.Err() == context.DeadlineExceeded && ctx.Err() == nil {
			return 0, nil, nil, fmt.Errorf("timeout after %s", c.cfg.Timeout)
		}
		return 0, nil, nil, stripURL(err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, c.cfg.MaxBodyBytes+1))
	if err != nil {
		if actx.Err() == context.DeadlineExceeded && ctx.Err() == nil {
			return 0, nil, nil, fmt.Errorf("timeout after %s reading the body", c.cfg.Timeout)
		}
		return 0, nil, nil, fmt.Errorf("reading the body: %w", stripURL(err))
	}
	if int64(len(data)) > c.cfg.MaxBodyBytes {
		return 0, nil, nil, fmt.Errorf("body larger than %d bytes", c.cfg.MaxBodyBytes)
	}
	return resp.StatusCode, resp.Header, data, nil
}

// checkRedirect follows a redirect only within the configured origin (scheme, host and
// port): net/http keeps the Authorization header on a redirect to the same host name on
// another port, and custom auth headers on any redirect, so a redirect elsewhere is an
// error rather than a leak. An https→http downgrade changes the scheme and is refused too.
func (c *Client) checkRedirect(req *http.Request, via []*http.Request) error {
	if len(via) >= 10 {
		return errors.New("stopped after 10 redirects")
	}
	u := req.URL
	if u.Scheme != c.base.Scheme || !strings.EqualFold(u.Host, c.base.Host) || u.User != nil {
		// The target is named by scheme and host only: its path and query may carry
		// anything.
		return fmt.Errorf("redirect to %s://%s refused: credentials go only to %s://%s",
			u.Scheme, u.Host, c.base.Scheme, c.base.Host)
	}
	return nil
}

// stripURL drops the URL (with its query) that net/http puts into its errors.
func stripURL(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err
	}
	return err
}

// wait takes one token from the limiter, sleeping on the injected clock.
func (c *Client) wait(ctx context.Context) error {
	if c.limiter == nil {
		return ctx.Err()
	}
	r := c.limiter.ReserveN(c.clock.Now(), 1)
	if !r.OK() {
		return errors.New("rate limiter: burst too small")
	}
	d := r.DelayFrom(c.clock.Now())
	if d <= 0 {
		return ctx.Err()
	}
	if err := c.clock.Sleep(ctx, d); err != nil {
		r.CancelAt(c.clock.Now())
		return err
	}
	return nil
}

// backoff is the wait before attempt+1 when the server gives no hint: exponential from
// BaseBackoff, capped at MaxBackoff, with "equal jitter" (half fixed, half random).
func (c *Client) backoff(attempt int) time.Duration {
	d := float64(c.cfg.BaseBackoff) * math.Pow(2, float64(attempt-1))
	d = min(d, float64(c.cfg.MaxBackoff))
	return time.Duration(d/2 + c.jitter()*d/2)
}

// retryHint reads how long a 429 asks the client to wait: Retry-After (seconds or an
// HTTP date), else ratelimit-reset / X-RateLimit-Reset (seconds until the budget resets;
// a value that looks like a Unix time is taken as one). Capped at MaxRetryWait.
func (c *Client) retryHint(h http.Header) (time.Duration, bool) {
	now := c.clock.Now()
	d, ok := time.Duration(0), false
	if v := strings.TrimSpace(h.Get("Retry-After")); v != "" {
		if s, err := strconv.ParseFloat(v, 64); err == nil && s >= 0 {
			d, ok = time.Duration(s*float64(time.Second)), true
		} else if t, err := http.ParseTime(v); err == nil {
			d, ok = max(0, t.Sub(now)), true
		}
	}
	if !ok {
		for _, k := range []string{"ratelimit-reset", "X-RateLimit-Reset"} {
			v := strings.TrimSpace(h.Get(k))
			if v == "" {
				continue
			}
			s, err := strconv.ParseFloat(v, 64)
			if err != nil || s < 0 {
				continue
			}
			if s > 1e9 { // a Unix timestamp rather than a number of seconds
				d = max(0, time.Unix(int64(s), 0).Sub(now))
			} else {
				d = time.Duration(s * float64(time.Second))
			}
			ok = true
			break
		}
	}
	if !ok {
		for _, k := range c.cfg.RetryAfterHeaders {
			v := strings.TrimSpace(h.Get(k))
			if s, err := strconv.ParseFloat(v, 64); err == nil && s >= 0 && !math.IsInf(s, 0) {
				d, ok = time.Duration(s*float64(time.Second)), true
				break
			}
		}
	}
	if !ok {
		return 0, false
	}
	return min(d, c.cfg.MaxRetryWait), true
}

// ResolveLink turns a pagination link the API returned (an absolute URL such as
// Opsgenie's X-Paging-Next, or a path) into a path relative to the base URL and its
// query, for Get. A link to another scheme, host or a path outside the base URL is an
// error, so the credentials in Header never go anywhere but the configured API. The
// error does not quote the link (it may carry a query).
func (c *Client) ResolveLink(link string) (string, url.Values, error) {
	u, err := url.Parse(strings.TrimSpace(link))
	if err != nil || link == "" {
		return "", nil, errors.New("unreadable pagination link")
	}
	u = c.base.ResolveReference(u)
	if u.Scheme != c.base.Scheme || u.Host != c.base.Host || u.User != nil {
		return "", nil, fmt.Errorf("pagination link points to another host (%s), not %s", u.Host, c.base.Host)
	}
	rel, ok := strings.CutPrefix(u.Path, c.base.Path)
	if !ok || (c.base.Path != "" && rel != "" && !strings.HasPrefix(rel, "/")) {
		return "", nil, fmt.Errorf("pagination link path is outside the base URL path %q", c.base.Path)
	}
	q, err := url.ParseQuery(u.RawQuery)
	if err != nil {
		return "", nil, errors.New("pagination link has an unreadable query")
	}
	return "/" + strings.TrimLeft(rel, "/"), q, nil
}

func (c *Client) count(code string) {
	c.mu.Lock()
	c.requests[code]++
	c.mu.Unlock()
}

// noteRemaining keeps the last remaining budget the API reported.
func (c *Client) noteRemaining(h http.Header) {
	for _, k := range []string{"ratelimit-remaining", "X-RateLimit-Remaining", "X-Rate-Limit-Remaining"} {
		v := strings.TrimSpace(h.Get(k))
		if v == "" {
			continue
		}
		f, err := strconv.ParseFloat(v, 64)
		if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
			continue
		}
		c.mu.Lock()
		c.remaining, c.haveRemaining = f, true
		c.mu.Unlock()
		return
	}
}

// Stats returns a copy of the request counters and the last reported remaining budget.
func (c *Client) Stats() source.APIStats {
	c.mu.Lock()
	defer c.mu.Unlock()
	m := make(map[string]float64, len(c.requests))
	for k, v := range c.requests {
		m[k] = v
	}
	return source.APIStats{Requests: m, RateLimitRemaining: c.remaining, HasRateLimit: c.haveRemaining}
}

// GenericMessage is the API's error text from the two shapes most APIs share,
// {"message": "…"} and {"error": "…"}; vendors with their own error body format pass
// their own function as Config.ErrorMessage (see each vendor's errors.go).
func GenericMessage(data []byte) string {
	var body struct {
		Error   json.RawMessage `json:"error"`
		Message string          `json:"message"`
	}
	if json.Unmarshal(data, &body) != nil {
		return ""
	}
	if body.Message != "" {
		return body.Message
	}
	var msg string
	if len(body.Error) > 0 && json.Unmarshal(body.Error, &msg) == nil {
		return msg
	}
	return ""
}

// apiMessage is the short, bounded error text of a non-2xx body.
func (c *Client) apiMessage(data []byte) string {
	return truncate(strings.TrimSpace(c.cfg.ErrorMessage(data)), 300)
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}

// Validator is implemented by response types that check their own shape after decoding
// (required fields present, enums known).
type Validator interface {
	Validate() error
}

// DecodeJSON decodes the body into out and, when out implements Validator, checks its
// shape. A body that is not JSON (an HTML page from a proxy, say) is an error naming the
// endpoint. Errors never quote more than a short, sanitised start of the body.
func (r *Response) DecodeJSON(out any) error {
	fail := func(err error) error {
		return &Error{Method: r.Method, Path: r.Path, Status: r.Status, Err: r.redact.Err(err)}
	}
	trimmed := bytes.TrimSpace(r.Body)
	ct := r.Header.Get("Content-Type")
	if len(trimmed) == 0 {
		return fail(errors.New("empty response body, expected JSON"))
	}
	if trimmed[0] != '{' && trimmed[0] != '[' {
		return fail(fmt.Errorf("response is not JSON (Content-Type %q, body starts %q)", ct, snippet(trimmed)))
	}
	dec := json.NewDecoder(bytes.NewReader(trimmed))
	if err := dec.Decode(out); err != nil {
		return fail(fmt.Errorf("malformed JSON: %w", err))
	}
	if dec.More() {
		return fail(errors.New("malformed JSON: trailing data after the document"))
	}
	if v, ok := out.(Validator); ok {
		if err := v.Validate(); err != nil {
			return fail(fmt.Errorf("unexpected response shape: %w", err))
		}
	}
	return nil
}

func snippet(b []byte) string {
	s := string(b)
	if len(s) > 40 {
		s = s[:40]
	}
	return strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f {
			return ' '
		}
		return r
	}, s)
}

// IsTimeout reports whether err is a network timeout.
func IsTimeout(err error) bool {
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}

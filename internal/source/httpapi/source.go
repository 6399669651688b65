package httpapi

import (
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// Defaults of every API source (SourceDefaults may set others).
const (
	DefaultHistory           = 90 * 24 * time.Hour
	DefaultTimeout           = 30 * time.Second
	DefaultReferenceInterval = time.Hour
)

// SourceConfig is what every API source's Config has: the vendor Configs embed it.
// Zero values take the vendor's defaults (see SourceDefaults).
type SourceConfig struct {
	Name    string
	BaseURL string
	Token   string // never logged, never in an error
	// History is back-filled on the first sync.
	History time.Duration
	// DefaultTimezone (hours.default_timezone) stands in for the time zone of users who
	// have none.
	DefaultTimezone string
	// Timeout bounds one HTTP request attempt.
	Timeout time.Duration
	// RequestsPerMinute is the client-side limit.
	RequestsPerMinute float64
	// ReferenceInterval is how often the slowly changing reference data (users, teams,
	// …) is re-read.
	ReferenceInterval time.Duration

	// HTTPClient, Clock, Jitter and MaxAttempts are for tests (see Config).
	HTTPClient  *http.Client
	Clock       Clock
	Jitter      func() float64
	MaxAttempts int
}

// SourceDefaults are one vendor's defaults of SourceConfig.
type SourceDefaults struct {
	// Type is the source type ("pagerduty"): it prefixes every error and is the type
	// attribute of every log line.
	Type string
	// BaseURL is the default base URL. Empty: the base URL is required, and
	// MissingBaseURL (after "<type> <name>: ") is the error without one.
	BaseURL        string
	MissingBaseURL string
	// LineBreakChecked are further values, sent in headers like the token, that must
	// not contain a line break; LineBreakWhat then names what was checked in the error
	// (default "token").
	LineBreakChecked []string
	LineBreakWhat    string

	// History, Timeout and ReferenceInterval default to DefaultHistory, DefaultTimeout
	// and DefaultReferenceInterval.
	History           time.Duration
	Timeout           time.Duration
	RequestsPerMinute float64
	ReferenceInterval time.Duration
}

func orDefault[T comparable](v, def T) T {
	var zero T
	if v == zero {
		return def
	}
	return v
}

// ApplyDefaults checks the name, the token and the presence of a base URL, and fills
// zero values from d. A vendor checks its own fields after it, then calls NewClient.
func (c *SourceConfig) ApplyDefaults(d SourceDefaults) error {
	if c.Name == "" {
		return errors.New(d.Type + ": source name is empty")
	}
	if c.BaseURL == "" {
		if d.BaseURL == "" {
			return fmt.Errorf("%s %s: %s", d.Type, c.Name, d.MissingBaseURL)
		}
		c.BaseURL = d.BaseURL
	}
	if c.Token == "" {
		return fmt.Errorf("%s %s: token is empty", d.Type, c.Name)
	}
	lineBreak := strings.ContainsAny(c.Token, "\r\n")
	for _, v := range d.LineBreakChecked {
		lineBreak = lineBreak || strings.ContainsAny(v, "\r\n")
	}
	if lineBreak {
		what := d.LineBreakWhat
		if what == "" {
			what = "token"
		}
		return fmt.Errorf("%s %s: %s contains a line break", d.Type, c.Name, what)
	}
	if c.History <= 0 {
		c.History = orDefault(d.History, DefaultHistory)
	}
	if c.Timeout <= 0 {
		c.Timeout = orDefault(d.Timeout, DefaultTimeout)
	}
	if c.RequestsPerMinute <= 0 {
		c.RequestsPerMinute = d.RequestsPerMinute
	}
	if c.ReferenceInterval <= 0 {
		c.ReferenceInterval = orDefault(d.ReferenceInterval, DefaultReferenceInterval)
	}
	return nil
}

// ClientOptions are the vendor-specific parts of the client of an API source.
type ClientOptions struct {
	Header            http.Header
	Burst             int
	RetryAfterHeaders []string
	// ErrorMessage reads the vendor's error body (see Config.ErrorMessage).
	ErrorMessage func(body []byte) string
}

// Built is what NewClient returns: the client, the clock it waits on (Clock or the
// real one) and the logger with the source's name and type attributes.
type Built struct {
	Client *Client
	Clock  Clock
	Logger *slog.Logger
}

// NewClient checks the default time zone and the base URL, adds the source and type
// attributes to logger (nil: discard) and builds the client. Call it after
// ApplyDefaults with the same typ.
func (c *SourceConfig) NewClient(typ string, logger *slog.Logger, o ClientOptions) (Built, error) {
	if c.DefaultTimezone != "" {
		if _, err := time.LoadLocation(c.DefaultTimezone); err != nil {
			return Built{}, fmt.Errorf("%s %s: default time zone: %w", typ, c.Name, err)
		}
	}
	if u, err := url.Parse(c.BaseURL); err != nil || u.User != nil {
		return Built{}, fmt.Errorf("%s %s: invalid base URL", typ, c.Name)
	}
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	logger = logger.With("source", c.Name, "type", typ)
	clock := c.Clock
	if clock == nil {
		clock = RealClock{}
	}
	client, err := New(Config{
		BaseURL:           c.BaseURL,
		Header:            o.Header,
		Timeout:           c.Timeout,
		RequestsPerMinute: c.RequestsPerMinute,
		Burst:             o.Burst,
		RetryAfterHeaders: o.RetryAfterHeaders,
		ErrorMessage:      o.ErrorMessage,
		MaxAttempts:       c.MaxAttempts,
		HTTPClient:        c.HTTPClient,
		Clock:             clock,
		Jitter:            c.Jitter,
		Logger:            logger,
	})
	if err != nil {
		return Built{}, fmt.Errorf("%s %s: %w", typ, c.Name, err)
	}
	return Built{Client: client, Clock: clock, Logger: logger}, nil
}

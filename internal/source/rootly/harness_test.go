package rootly

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"net/http/httptest"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hero-exporter/hero_exporter/internal/incident"
	"github.com/hero-exporter/hero_exporter/internal/source"
	"github.com/hero-exporter/hero_exporter/internal/source/httpapi"
	"github.com/hero-exporter/hero_exporter/internal/source/rootly/rootlyfake"
)

const testToken = "u+TESTtokenNeverLog-1234"

type obj = rootlyfake.Obj

// ---- memory sink ----

type memSink struct {
	mu          sync.Mutex
	writes      int
	cursor      string
	people      map[string]incident.Person
	teams       map[string]incident.Team
	incidents   map[string]incident.Incident
	pages       map[string]incident.Page
	engagements map[string]incident.Engagement
	shifts      map[string]incident.Shift
}

func newSink() *memSink {
	return &memSink{people: map[string]incident.Person{}, teams: map[string]incident.Team{},
		incidents: map[string]incident.Incident{}, pages: map[string]incident.Page{},
		engagements: map[string]incident.Engagement{}, shifts: map[string]incident.Shift{}}
}

func (m *memSink) Write(_ context.Context, src string, b *source.Batch) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.writes++
	for _, x := range b.People {
		m.people[x.ID] = x
	}
	for _, x := range b.Teams {
		m.teams[x.Name] = x
	}
	for _, x := range b.Incidents {
		m.incidents[x.ID] = x
	}
	for _, x := range b.Pages {
		m.pages[x.ID] = x
	}
	for _, x := range b.Engagements {
		m.engagements[x.ID] = x
	}
	for _, x := range b.Shifts {
		m.shifts[x.ID] = x
	}
	if b.Cursor != "" {
		m.cursor = b.Cursor
	}
	return nil
}

func (m *memSink) engagementsOf(inc string) []string {
	var out []string
	for _, e := range m.engagements {
		if e.IncidentID == inc {
			out = append(out, e.PersonID+":"+e.Kind)
		}
	}
	sort.Strings(out)
	return out
}

func (m *memSink) pagesOf(inc string) []string {
	var out []string
	for _, p := range m.pages {
		if p.IncidentID == inc {
			out = append(out, fmt.Sprintf("%s:%s@%s", p.PersonID, p.Channel, p.At.Format("15:04:05")))
		}
	}
	sort.Strings(out)
	return out
}

// ---- clock and source ----

type fakeClock struct {
	mu    sync.Mutex
	now   time.Time
	slept time.Duration
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) Sleep(ctx context.Context, d time.Duration) error {
	c.mu.Lock()
	if d > 0 {
		c.now = c.now.Add(d)
		c.slept += d
	}
	c.mu.Unlock()
	return ctx.Err()
}

func (c *fakeClock) advance(d time.Duration) {
	c.mu.Lock()
	c.now = c.now.Add(d)
	c.mu.Unlock()
}

type harness struct {
	fake  *rootlyfake.Server
	src   *Source
	sink  *memSink
	clock *fakeClock
	logs  *syncBuffer
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// base is "now" of every scenario: a Friday.
var base = time.Date(2026, 11, 20, 12, 0, 0, 0, time.UTC)

// at is a time relative to the scenarios' "now".
func at(d time.Duration) time.Time { return base.Add(d) }

func scenario(f *rootlyfake.Server) { rootlyfake.Scenario(f, base) }

func bulk(n, perInc int, span time.Duration) func(f *rootlyfake.Server) {
	return func(f *rootlyfake.Server) { rootlyfake.Bulk(f, base, n, perInc, span) }
}

func newHarness(t *testing.T, fill func(f *rootlyfake.Server), mod func(*Config)) *harness {
	t.Helper()
	f := rootlyfake.New(testToken)
	if fill != nil {
		fill(f)
	}
	srv := httptest.NewServer(f)
	t.Cleanup(srv.Close)
	clk := &fakeClock{now: base}
	logs := &syncBuffer{}
	cfg := Config{SourceConfig: httpapi.SourceConfig{Name: "rt", BaseURL: srv.URL, Token: testToken, DefaultTimezone: "Europe/London", Clock: clk, Jitter: func() float64 { return 0.5 }, Timeout: 2 * time.Second}}
	if mod != nil {
		mod(&cfg)
	}
	logger := slog.New(slog.NewJSONHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	src, err := New(cfg, logger)
	if err != nil {
		t.Fatal(err)
	}
	return &harness{fake: f, src: src, sink: newSink(), clock: clk, logs: logs}
}

func (h *harness) sync(t *testing.T) error {
	t.Helper()
	h.sink.mu.Lock()
	cur := h.sink.cursor
	h.sink.mu.Unlock()
	err := h.src.Sync(context.Background(), cur, h.sink)
	if err != nil && strings.Contains(err.Error(), testToken) {
		t.Fatalf("token in error: %v", err)
	}
	if strings.Contains(h.logs.String(), testToken) {
		t.Fatal("token in log output")
	}
	return err
}

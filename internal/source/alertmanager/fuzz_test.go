package alertmanager

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"testing"
	"unicode/utf8"

	"github.com/hero-exporter/hero_exporter/internal/webhook"
)

// FuzzReceiverBody: whatever a client posts, the receiver answers with one of its
// documented codes without panicking, stores nothing on a refusal, and every team and
// service it stores is a bounded label value: at most 128 bytes, valid UTF-8, and at
// most max_label_values (here 1) distinct values plus "other".
func FuzzReceiverBody(f *testing.F) {
	for _, name := range []string{"firing.json", "resolved.json"} {
		f.Add(readFixture(f, name))
	}
	f.Add([]byte(`{"version":"4","alerts":[{"startsAt":"2026-11-20T11:00:00Z","labels":{"team":"\xff\xfe","service":"x"}}]}`))
	f.Add([]byte(`{"version":"4","alerts":[{"startsAt":"2026-11-20T11:00:00Z","labels":{"team":"a"}},{"startsAt":"2026-11-20T11:00:00Z","labels":{"team":"b"}},{"startsAt":"2026-11-20T11:00:00Z","labels":{"team":"c"}}]}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		sink := newSink()
		r := New(Config{Name: "am", Path: "/am", AllowUnauthenticated: true, Labels: webhook.LabelLimits{MaxValues: 1}}, sink, nil, nil)
		req := httptest.NewRequest(http.MethodPost, "/am", bytes.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		rec := httptest.NewRecorder()
		r.Handler().ServeHTTP(rec, req)
		switch rec.Code {
		case http.StatusOK:
		case http.StatusBadRequest, http.StatusRequestEntityTooLarge:
			if sink.count() != 0 {
				t.Fatalf("HTTP %d but %d incidents stored", rec.Code, sink.count())
			}
			return
		default:
			t.Fatalf("unexpected HTTP %d: %s", rec.Code, rec.Body.String())
		}
		teams, services := map[string]bool{}, map[string]bool{}
		for _, in := range sink.all() {
			for _, v := range []string{in.Team, in.Service} {
				if len(v) > webhook.MaxValueBytes || !utf8.ValidString(v) {
					t.Fatalf("stored label value %q", v)
				}
			}
			teams[in.Team], services[in.Service] = true, true
		}
		delete(teams, "")
		delete(services, "")
		if len(teams) > 2 || len(services) > 2 {
			t.Fatalf("%d teams and %d services stored, want at most 1 + other each", len(teams), len(services))
		}
	})
}

package sourcetest

import (
	"context"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/hero-exporter/hero_exporter/internal/incident"
	"github.com/hero-exporter/hero_exporter/internal/source"
)

type fake struct {
	Recorder
	mu sync.Mutex
}

func (f *fake) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.Handle(w, r, &f.mu, func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{}`))
	})
}

func get(t *testing.T, h http.Handler, path string) int {
	t.Helper()
	w := httptest.NewRecorder()
	h.ServeHTTP(w, httptest.NewRequest(http.MethodGet, path, nil))
	return w.Code
}

func TestRecorder(t *testing.T) {
	for _, noFaults := range []bool{false, true} {
		f := &fake{Recorder: Recorder{Prefix: "/api", NoFaults: noFaults}}
		f.SetFault(func(w http.ResponseWriter, _ *http.Request, n int) bool {
			switch n {
			case 2:
				w.WriteHeader(http.StatusTooManyRequests)
				return true
			case 3:
				w.WriteHeader(http.StatusBadGateway)
				return true
			}
			return false
		})
		for i, want := range []int{200, 429, 502, 200} {
			if got := get(t, f, "/api/x?i=1"); got != want {
				t.Errorf("request %d: status %d, want %d", i+1, got, want)
			}
		}
		recs := f.Recorded()
		wantRecs := 3 // the 502 is never recorded
		if noFaults {
			wantRecs = 2
		}
		if len(recs) != wantRecs || recs[0].Path != "/x" || recs[0].Query != "i=1" || recs[0].Status != 200 {
			t.Errorf("noFaults=%v: recorded %+v", noFaults, recs)
		}
		if f.RequestCount() != 4 || f.Requests()[0] != "GET /api/x?i=1" {
			t.Errorf("requests %q", f.Requests())
		}
		f.ResetRequests()
		if f.RequestCount() != 0 {
			t.Error("ResetRequests kept requests")
		}
	}
}

func TestSinkAndClock(t *testing.T) {
	s := NewSink()
	at := Base.Add(time.Minute)
	b := &source.Batch{Incidents: []incident.Incident{{ID: "I1"}}, Pages: []incident.Page{{ID: "P1", IncidentID: "I1", PersonID: "U1", Channel: "sms", At: at}},
		Engagements: []incident.Engagement{{ID: "E1", IncidentID: "I1", PersonID: "U1", Kind: "acknowledge"}}, Cursor: "c1"}
	if err := s.Write(context.Background(), "x", b); err != nil {
		t.Fatal(err)
	}
	_ = s.Write(context.Background(), "x", &source.Batch{Incidents: []incident.Incident{{ID: "I1"}}})
	if s.Writes != 2 || len(s.Incidents) != 1 || s.StoredCursor() != "c1" {
		t.Errorf("sink %+v", s)
	}
	if got := s.PagesOf("I1"); len(got) != 1 || got[0] != "U1:sms@12:01:00" {
		t.Errorf("PagesOf %q", got)
	}
	if got := s.EngagementsOf("I1"); len(got) != 1 || got[0] != "U1:acknowledge" {
		t.Errorf("EngagementsOf %q", got)
	}
	if h := s.History("x", incident.Capabilities{Pages: true}); len(h.Incidents) != 1 || len(h.Pages) != 1 || !h.Sources["x"].Pages {
		t.Errorf("History %+v", h)
	}

	c := NewClock(Base)
	_ = c.Sleep(context.Background(), time.Second)
	c.Advance(time.Minute)
	if c.Now() != Base.Add(61*time.Second) || c.Slept() != time.Second {
		t.Errorf("clock at %v, slept %v", c.Now(), c.Slept())
	}
}

func TestEnvConfig(t *testing.T) {
	e := Serve(t, &fake{}, Base)
	c := e.SourceConfig("n", "/p", "tok")
	if c.BaseURL != e.URL+"/p" || c.Clock != e.Clock || c.Jitter() != 0.5 || c.DefaultTimezone != "Europe/London" {
		t.Errorf("config %+v", c)
	}
	e.Logs.Logger().Info("hello", "k", "v")
	NoLeak(t, nil, e.Logs, "tok")
}

package collector

import (
	"bytes"
	"compress/gzip"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"sort"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"

	"github.com/hero-exporter/hero_exporter/internal/logscan"
	"github.com/hero-exporter/hero_exporter/internal/source"
)

func handlerFixture() fixture {
	return fixture{
		snap:     testSnapshot(),
		statuses: []source.Status{{Name: "pd", Type: "pagerduty", Attempted: true, Up: true, LastSuccess: testSnapshot().At}},
		logs:     []logscan.Stats{{Log: "app", Exceptions: 3, Other: 1, Fingerprints: []logscan.FingerprintStat{{Fingerprint: "0123456789abcdef", Type: "E", Count: 2}}}},
	}
}

// samples renders families as sorted "name{labels} value" lines, without the scrape
// durations, which differ from run to run.
func samples(t *testing.T, fams []*dto.MetricFamily) []string {
	t.Helper()
	var buf bytes.Buffer
	for _, mf := range fams {
		if mf.GetName() == "hero_scrape_collector_duration_seconds" {
			continue
		}
		if _, err := expfmt.MetricFamilyToText(&buf, mf); err != nil {
			t.Fatal(err)
		}
	}
	var out []string
	for _, l := range strings.Split(buf.String(), "\n") {
		if l != "" && !strings.HasPrefix(l, "#") {
			out = append(out, l)
		}
	}
	sort.Strings(out)
	return out
}

// TestHandlerServesWhatARegistryWould: the cached-exposition handler must produce the
// same samples as registering every collector and gathering per scrape, in every
// format and with and without gzip.
func TestHandlerServesWhatARegistryWould(t *testing.T) {
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	p := handlerFixture()
	all, err := New(p, logger)
	if err != nil {
		t.Fatal(err)
	}
	ref := prometheus.NewRegistry()
	ref.MustRegister(all)
	refFams, err := ref.Gather()
	if err != nil {
		t.Fatal(err)
	}
	want := samples(t, refFams)
	if len(want) < 40 {
		t.Fatalf("reference has only %d samples; are the collectors enabled?", len(want))
	}

	expo, err := NewExposition(p.snap, logger)
	if err != nil {
		t.Fatal(err)
	}
	live, err := NewLive(p, logger, expo.Results)
	if err != nil {
		t.Fatal(err)
	}
	reg := prometheus.NewRegistry()
	reg.MustRegister(live)
	h := NewHandler(reg, func() *Exposition { return expo }, logger)

	for _, tc := range []struct {
		name, accept string
		gzip         bool
	}{
		{"text", "text/plain;version=0.0.4", false},
		{"text gzip", "text/plain;version=0.0.4", true},
		{"protobuf", "application/vnd.google.protobuf;proto=io.prometheus.client.MetricFamily;encoding=delimited", false},
		{"protobuf gzip", "application/vnd.google.protobuf;proto=io.prometheus.client.MetricFamily;encoding=delimited", true},
		{"openmetrics gzip", "application/openmetrics-text;version=1.0.0", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			req := httptest.NewRequest(http.MethodGet, "/metrics", nil)
			req.Header.Set("Accept", tc.accept)
			if tc.gzip {
				req.Header.Set("Accept-Encoding", "gzip")
			}
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			body := rec.Body.Bytes()
			if (rec.Header().Get("Content-Encoding") == "gzip") != tc.gzip {
				t.Fatalf("Content-Encoding = %q", rec.Header().Get("Content-Encoding"))
			}
			if tc.gzip {
				zr, err := gzip.NewReader(bytes.NewReader(body)) // reads every member
				if err != nil {
					t.Fatal(err)
				}
				if body, err = io.ReadAll(zr); err != nil {
					t.Fatal(err)
				}
			}
			format := expfmt.Format(rec.Header().Get("Content-Type"))
			if format.FormatType() == expfmt.TypeOpenMetrics {
				if !bytes.HasSuffix(body, []byte("\n# EOF\n")) || bytes.Count(body, []byte("# EOF")) != 1 {
					t.Fatalf("OpenMetrics body must end with exactly one # EOF:\n%s", body)
				}
				for _, l := range want {
					name := l[:strings.IndexAny(l, "{ ")]
					if !bytes.Contains(body, []byte(name)) {
						t.Errorf("family %s missing", name)
					}
				}
				return
			}
			dec := expfmt.NewDecoder(bytes.NewReader(body), format)
			var fams []*dto.MetricFamily
			for {
				var mf dto.MetricFamily
				if err := dec.Decode(&mf); err == io.EOF {
					break
				} else if err != nil {
					t.Fatalf("decode %s: %v", format, err)
				}
				fams = append(fams, &mf)
			}
			got := samples(t, fams)
			if strings.Join(got, "\n") != strings.Join(want, "\n") {
				t.Fatalf("handler output differs from a plain registry:\ngot:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
			}
		})
	}
}

func TestHandlerBeforeFirstSnapshot(t *testing.T) {
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	live, err := NewLive(fixture{}, logger, func() map[string]Result { return nil })
	if err != nil {
		t.Fatal(err)
	}
	reg := prometheus.NewRegistry()
	reg.MustRegister(live)
	rec := httptest.NewRecorder()
	NewHandler(reg, func() *Exposition { return nil }, logger).ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/metrics", nil))
	if rec.Code != http.StatusOK || strings.Contains(rec.Body.String(), "hero_incidents") {
		t.Fatalf("HTTP %d\n%s", rec.Code, rec.Body.String())
	}
}

func TestAcceptsGzip(t *testing.T) {
	for h, want := range map[string]bool{"gzip": true, "deflate, gzip;q=0.5": true, "gzip;q=0": false, "identity": false, "": false, "zstd,gzip": true} {
		if got := acceptsGzip(h); got != want {
			t.Errorf("acceptsGzip(%q) = %v", h, got)
		}
	}
}

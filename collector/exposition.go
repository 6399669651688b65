package collector

import (
	"bytes"
	"compress/gzip"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"

	"github.com/hero-exporter/hero_exporter/internal/incident"
	"github.com/hero-exporter/hero_exporter/internal/logscan"
	"github.com/hero-exporter/hero_exporter/internal/source"
)

// Exposition is the encoded output of the snapshot collectors for one snapshot. With
// thousands of people the window figures run to 100k series; gathering, sorting and
// encoding them on every scrape would cost a second. The snapshot is immutable, so this
// work is done once per snapshot (when the analytics publish it) and scrapes copy bytes.
type Exposition struct {
	families []*dto.MetricFamily
	results  map[string]Result

	mu      sync.Mutex
	encoded map[encodingKey][]byte
}

type encodingKey struct {
	format expfmt.Format
	gzip   bool
}

// NewExposition runs the enabled snapshot collectors over snap and keeps the result.
func NewExposition(snap *incident.Snapshot, logger *slog.Logger) (*Exposition, error) {
	cs, err := build(staticProvider{snap}, logger, nil, func(name string) bool { return fromSnapshot[name] })
	if err != nil {
		return nil, err
	}
	e := &Exposition{results: map[string]Result{}, encoded: map[encodingKey][]byte{}}
	var metrics []prometheus.Metric
	for name, c := range cs {
		start := time.Now()
		ch := make(chan prometheus.Metric, 1024)
		errc := make(chan error, 1)
		go func() {
			errc <- c.Update(ch)
			close(ch)
		}()
		for m := range ch {
			metrics = append(metrics, m)
		}
		err := <-errc
		e.results[name] = Result{Success: err == nil, Duration: time.Since(start)}
		if err != nil {
			logger.Error("collector failed", "collector", name, "err", err)
		}
	}
	// A registry checks the metrics for consistency and sorts them, once.
	reg := prometheus.NewRegistry()
	if err := reg.Register(metricList(metrics)); err != nil {
		return nil, fmt.Errorf("collector: register snapshot metrics: %w", err)
	}
	fams, err := reg.Gather()
	if err != nil {
		return nil, fmt.Errorf("collector: gather snapshot metrics: %w", err)
	}
	e.families = fams
	return e, nil
}

// Results returns how each snapshot collector ran.
func (e *Exposition) Results() map[string]Result { return e.results }

// Families returns the metric families (shared; do not modify).
func (e *Exposition) Families() []*dto.MetricFamily { return e.families }

// Encoded returns the families in format, gzip-compressed as a gzip member of its own
// when gz is set, without an OpenMetrics "# EOF" line. Encodings are made once and kept.
func (e *Exposition) Encoded(format expfmt.Format, gz bool) ([]byte, error) {
	key := encodingKey{format, gz}
	e.mu.Lock()
	defer e.mu.Unlock()
	if b, ok := e.encoded[key]; ok {
		return b, nil
	}
	b, err := encodeFamilies(e.families, format, gz)
	if err != nil {
		return nil, err
	}
	e.encoded[key] = b
	return b, nil
}

func encodeFamilies(fams []*dto.MetricFamily, format expfmt.Format, gz bool) ([]byte, error) {
	var buf bytes.Buffer
	var w interface {
		Write([]byte) (int, error)
	} = &buf
	var zw *gzip.Writer
	if gz {
		zw = gzip.NewWriter(&buf)
		w = zw
	}
	enc := expfmt.NewEncoder(w, format)
	for _, mf := range fams {
		if err := enc.Encode(mf); err != nil {
			return nil, fmt.Errorf("collector: encode %s: %w", mf.GetName(), err)
		}
	}
	if zw != nil {
		if err := zw.Close(); err != nil {
			return nil, err
		}
	}
	return buf.Bytes(), nil
}

// staticProvider serves one snapshot to the snapshot collectors.
type staticProvider struct{ snap *incident.Snapshot }

func (p staticProvider) Snapshot() *incident.Snapshot  { return p.snap }
func (staticProvider) SourceStatuses() []source.Status { return nil }
func (staticProvider) LogStats() []logscan.Stats       { return nil }

// metricList is a collector of fixed metrics.
type metricList []prometheus.Metric

func (metricList) Describe(chan<- *prometheus.Desc) {}

func (l metricList) Collect(ch chan<- prometheus.Metric) {
	for _, m := range l {
		ch <- m
	}
}

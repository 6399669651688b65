package collector

import (
	"log/slog"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/hero-exporter/hero_exporter/internal/logscan"
)

func init() {
	registerCollector("exceptions", true, newExceptionsCollector)
}

type exceptionsCollector struct {
	p                                         Provider
	exceptions, events, info, newFPs, tracked *prometheus.Desc
	lines, bytes, files, errors               *prometheus.Desc
	winEvents, prevEvents, top10, top10Prev   *prometheus.Desc
	retired                                   *prometheus.Desc
}

func newExceptionsCollector(p Provider, _ *slog.Logger) Collector {
	return &exceptionsCollector{
		p:          p,
		exceptions: desc("exceptions_total", "Exception events seen in the log (multi-line traces count once).", "log"),
		events:     desc("exception_events_total", "Exception events per tracked fingerprint; fingerprint=\"other\" counts the rest, so the sum equals hero_exceptions_total.", "log", "fingerprint"),
		info:       desc("exception_info", "What a tracked fingerprint is: exception type, top in-app frame and masked message (always 1).", "log", "fingerprint", "type", "location", "message"),
		newFPs:     desc("exception_new_fingerprints_total", "Fingerprints this exporter had never seen before (remembered across restarts).", "log"),
		tracked:    desc("exception_fingerprints_tracked", "Fingerprints currently tracked for the log (at most top_k).", "log"),
		lines:      desc("log_lines_total", "Lines read from the log's files.", "log"),
		bytes:      desc("log_bytes_total", "Bytes read from the log's files.", "log"),
		files:      desc("log_files", "Files currently followed for the log.", "log"),
		winEvents:  desc("exception_window_events", "Exception events in the window per tracked fingerprint; fingerprint=\"other\" counts the rest (hourly counts: an hour across the window's start counts whole).", "log", "fingerprint", "window"),
		prevEvents: desc("exception_events_previous", "Exception events in the window before the window, (now-2w, now-w].", "log", "window"),
		top10:      desc("exception_top10_events", "Events of the ten fingerprints with the most events in the window.", "log", "window"),
		top10Prev:  desc("exception_top10_events_previous", "Events of the ten fingerprints with the most events in the window before the window.", "log", "window"),
		retired:    desc("exception_fingerprints_retired", "Fingerprints with events in the window before the window and none in the window: fixed, or gone quiet.", "log", "window"),
		errors:     desc("log_errors_total", "Reads that had to give up while following the log (open, read, rotation, special file, ...), by reason.", "log", "reason"),
	}
}

func (c *exceptionsCollector) Update(ch chan<- prometheus.Metric) error {
	cv, g := prometheus.CounterValue, prometheus.GaugeValue
	for _, s := range c.p.LogStats() {
		ch <- prometheus.MustNewConstMetric(c.exceptions, cv, float64(s.Exceptions), s.Log)
		for _, f := range s.Fingerprints {
			ch <- prometheus.MustNewConstMetric(c.events, cv, float64(f.Count), s.Log, f.Fingerprint)
			ch <- prometheus.MustNewConstMetric(c.info, g, 1, s.Log, f.Fingerprint, f.Type, f.Location, f.Message)
		}
		ch <- prometheus.MustNewConstMetric(c.events, cv, float64(s.Other), s.Log, "other")
		ch <- prometheus.MustNewConstMetric(c.newFPs, cv, float64(s.NewFingerprints), s.Log)
		ch <- prometheus.MustNewConstMetric(c.tracked, g, float64(s.FingerprintsTracked), s.Log)
		ch <- prometheus.MustNewConstMetric(c.lines, cv, float64(s.Lines), s.Log)
		ch <- prometheus.MustNewConstMetric(c.bytes, cv, float64(s.Bytes), s.Log)
		ch <- prometheus.MustNewConstMetric(c.files, g, float64(s.FilesFollowed), s.Log)
		for _, w := range s.Windows {
			for _, f := range s.Fingerprints {
				ch <- prometheus.MustNewConstMetric(c.winEvents, g, float64(w.Events[f.Fingerprint]), s.Log, f.Fingerprint, w.Window)
			}
			ch <- prometheus.MustNewConstMetric(c.winEvents, g, float64(w.Other), s.Log, "other", w.Window)
			ch <- prometheus.MustNewConstMetric(c.prevEvents, g, float64(w.EventsPrevious), s.Log, w.Window)
			ch <- prometheus.MustNewConstMetric(c.top10, g, float64(w.Top10), s.Log, w.Window)
			ch <- prometheus.MustNewConstMetric(c.top10Prev, g, float64(w.Top10Previous), s.Log, w.Window)
			ch <- prometheus.MustNewConstMetric(c.retired, g, float64(w.Retired), s.Log, w.Window)
		}
		for _, r := range logscan.ErrorReasons { // every reason, zeros included
			ch <- prometheus.MustNewConstMetric(c.errors, cv, float64(s.ErrorsByReason[r]), s.Log, r)
		}
	}
	return nil
}

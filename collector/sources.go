package collector

import (
	"log/slog"
	"sort"

	"github.com/prometheus/client_golang/prometheus"
)

func init() {
	registerCollector("sources", true, newSourcesCollector)
}

type sourcesCollector struct {
	p                                                 Provider
	up, lastSuccess, duration, requests, rateLimitRem *prometheus.Desc
	webhookRequests, foldedValues                     *prometheus.Desc
}

func newSourcesCollector(p Provider, _ *slog.Logger) Collector {
	return &sourcesCollector{
		p:            p,
		up:           desc("source_up", "1 when the last sync of the source succeeded, 0 when it failed (absent until the first sync ends).", "source", "type"),
		lastSuccess:  desc("source_last_success_timestamp_seconds", "Unix time of the last successful sync of the source.", "source", "type"),
		duration:     desc("source_sync_duration_seconds", "Duration of the last sync of the source.", "source", "type"),
		requests:     desc("source_api_requests_total", "HTTP requests the source made to its API, by status code (\"error\" when no response came).", "source", "type", "code"),
		rateLimitRem: desc("source_rate_limit_remaining", "Requests left in the current rate-limit window, as the API last reported.", "source", "type"),
		webhookRequests: desc("webhook_requests_total", "HTTP requests a push source (webhook receiver) answered, by status code, accepted and refused alike.",
			"source", "code"),
		foldedValues: desc("webhook_label_values_folded_total", "Pushed team or service values folded into \"other\" (over max_label_values, not in the allow-list, or longer than 128 bytes), by label.",
			"source", "label"),
	}
}

func (c *sourcesCollector) Update(ch chan<- prometheus.Metric) error {
	g := prometheus.GaugeValue
	for _, s := range c.p.SourceStatuses() {
		if s.Attempted {
			up := 0.0
			if s.Up {
				up = 1
			}
			ch <- prometheus.MustNewConstMetric(c.up, g, up, s.Name, s.Type)
			ch <- prometheus.MustNewConstMetric(c.duration, g, s.Duration.Seconds(), s.Name, s.Type)
		}
		if !s.LastSuccess.IsZero() {
			ch <- prometheus.MustNewConstMetric(c.lastSuccess, g, float64(s.LastSuccess.UnixNano())/1e9, s.Name, s.Type)
		}
		if s.Webhook != nil {
			codes := make([]string, 0, len(s.Webhook))
			for code := range s.Webhook {
				codes = append(codes, code)
			}
			sort.Strings(codes)
			for _, code := range codes {
				ch <- prometheus.MustNewConstMetric(c.webhookRequests, prometheus.CounterValue, s.Webhook[code], s.Name, code)
			}
			for _, label := range []string{"service", "team"} {
				ch <- prometheus.MustNewConstMetric(c.foldedValues, prometheus.CounterValue, s.Folded[label], s.Name, label)
			}
		}
		if s.API == nil {
			continue
		}
		codes := make([]string, 0, len(s.API.Requests))
		for code := range s.API.Requests {
			codes = append(codes, code)
		}
		sort.Strings(codes)
		for _, code := range codes {
			ch <- prometheus.MustNewConstMetric(c.requests, prometheus.CounterValue, s.API.Requests[code], s.Name, s.Type, code)
		}
		if s.API.HasRateLimit {
			ch <- prometheus.MustNewConstMetric(c.rateLimitRem, g, s.API.RateLimitRemaining, s.Name, s.Type)
		}
	}
	return nil
}

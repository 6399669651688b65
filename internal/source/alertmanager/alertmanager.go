// Package alertmanager is a push source: an HTTP endpoint on the exporter that accepts
// Prometheus Alertmanager webhook notifications (payload version "4") and stores every
// alert in them as an incident.
//
// Each alert is one incident keyed by its fingerprint and startsAt; a resolved
// notification (send_resolved: true) resolves the same incident. Team, service and
// severity come from alert labels named in the configuration. Alertmanager knows
// nothing about people, so the source supplies no people, pages, engagements or on-call
// shifts: those figures are absent for it, never zero. The mapping is documented in
// docs/sources.md.
package alertmanager

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"hash/fnv"
	"io"
	"log/slog"
	"net/http"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/hero-exporter/hero_exporter/internal/incident"
	"github.com/hero-exporter/hero_exporter/internal/source"
	"github.com/hero-exporter/hero_exporter/internal/webhook"
)

// Type is the source type name in the config.
const Type = "alertmanager"

// Defaults of Config.
const (
	DefaultTeamLabel     = "team"
	DefaultServiceLabel  = "service"
	DefaultSeverityLabel = "severity"
	// DefaultMaxBodyBytes bounds one request body: 32 MiB, room for about 30,000
	// alerts in one group (Alertmanager sends a whole group in one notification with
	// max_alerts: 0, and treats a 413 as final: it never retries).
	DefaultMaxBodyBytes = 32 << 20
	// MaxMaxBodyBytes bounds max_body_bytes: the body is decoded as a stream, but the
	// incidents it maps to are held until they are stored in one transaction.
	MaxMaxBodyBytes = 1 << 30
)

// Config configures the receiver. Zero values take the defaults above.
type Config struct {
	Name string
	// Path is the HTTP path the runtime mounts Handler at (default
	// "/alertmanager/<name>").
	Path string
	// Token must arrive as "Authorization: Bearer <token>" (Alertmanager's
	// http_config.authorization). Never logged. Without one, every request is refused
	// unless AllowUnauthenticated.
	Token string
	// AllowUnauthenticated accepts requests without a token when none is configured
	// (allow_unauthenticated: the explicit opt-out).
	AllowUnauthenticated bool
	// Labels bound the team and service values notifications may create.
	Labels webhook.LabelLimits
	// Label names of the model's team, service and severity (defaults team, service,
	// severity).
	TeamLabel, ServiceLabel, SeverityLabel string
	// MaxBodyBytes bounds a request body (default DefaultMaxBodyBytes); a larger one is
	// refused with 413, logged and counted.
	MaxBodyBytes int64
	// Now is the clock, for tests (default time.Now).
	Now func() time.Time
}

// Receiver is the Alertmanager webhook source. Its handler is safe for concurrent use.
type Receiver struct {
	cfg      Config
	sink     source.Sink
	notify   func()
	logger   *slog.Logger
	bearer   webhook.Bearer
	labels   *webhook.LabelGuard
	requests webhook.Counter // by status code, for hero_webhook_requests_total
}

var _ source.Source = (*Receiver)(nil)

// New returns a receiver that writes to sink and calls notify (when not nil) after
// every successful write, so the analytics can recompute.
func New(cfg Config, sink source.Sink, notify func(), logger *slog.Logger) *Receiver {
	if cfg.Path == "" {
		cfg.Path = "/alertmanager/" + cfg.Name
	}
	if cfg.TeamLabel == "" {
		cfg.TeamLabel = DefaultTeamLabel
	}
	if cfg.ServiceLabel == "" {
		cfg.ServiceLabel = DefaultServiceLabel
	}
	if cfg.SeverityLabel == "" {
		cfg.SeverityLabel = DefaultSeverityLabel
	}
	if cfg.MaxBodyBytes <= 0 {
		cfg.MaxBodyBytes = DefaultMaxBodyBytes
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	r := &Receiver{
		cfg: cfg, sink: sink, notify: notify,
		logger: logger.With("source", cfg.Name, "type", Type),
	}
	r.bearer = webhook.NewBearer(cfg.Token)
	r.labels = webhook.NewLabelGuard(cfg.Labels, r.logger)
	return r
}

// Name is the configured source name.
func (r *Receiver) Name() string { return r.cfg.Name }

// Type is "alertmanager".
func (r *Receiver) Type() string { return Type }

// Path is the HTTP path to mount Handler at.
func (r *Receiver) Path() string { return r.cfg.Path }

// Capabilities are all false: Alertmanager supplies incidents only, nothing about people.
func (r *Receiver) Capabilities() incident.Capabilities { return incident.Capabilities{} }

// WebhookRequests implements source.PushSource: the requests answered so far, by status
// code.
func (r *Receiver) WebhookRequests() map[string]float64 { return r.requests.Counts() }

// FoldedLabelValues implements source.PushSource: team and service values folded into
// "other", by label.
func (r *Receiver) FoldedLabelValues() map[string]float64 { return r.labels.Folded() }

// Sync does nothing: the data arrives by push and is stored as it arrives.
func (r *Receiver) Sync(ctx context.Context, _ string, _ source.Sink) error { return ctx.Err() }

// message is the part of Alertmanager's webhook body (version "4") the receiver reads.
type message struct {
	Version         string `json:"version"`
	GroupKey        string `json:"groupKey"`
	TruncatedAlerts uint64 `json:"truncatedAlerts"`
	Status          string `json:"status"`
	Receiver        string `json:"receiver"`
}

type alert struct {
	Status      string            `json:"status"`
	Labels      map[string]string `json:"labels"`
	Annotations map[string]string `json:"annotations"`
	StartsAt    time.Time         `json:"startsAt"`
	EndsAt      time.Time         `json:"endsAt"`
	Fingerprint string            `json:"fingerprint"`
}

// Handler accepts POSTs of webhook notifications. Every alert is written to the sink
// before the 200 answer, so Alertmanager retries (on 5xx) anything not stored. Every
// answer is counted by its status code; every refusal is logged with its reason.
//
//	405 not a POST; 401 missing or wrong bearer token; 415 not application/json;
//	413 body over MaxBodyBytes;
//	400 not JSON, not version "4", or an alert without startsAt; 500 the store failed.
func (r *Receiver) Handler() http.Handler { return r.requests.Wrap(http.HandlerFunc(r.serve)) }

// refuse answers with an error status and logs why (never the token).
func (r *Receiver) refuse(w http.ResponseWriter, req *http.Request, code int, msg string) {
	level := slog.LevelWarn
	if code >= 500 {
		level = slog.LevelError
	}
	r.logger.Log(req.Context(), level, "webhook request refused", "code", code, "reason", msg, "remote", req.RemoteAddr)
	reply(w, code, msg)
}

func (r *Receiver) serve(w http.ResponseWriter, req *http.Request) {
	if req.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		r.refuse(w, req, http.StatusMethodNotAllowed, "only POST is accepted")
		return
	}
	// A configured token is always required; without one, only the opt-out lets a
	// request through.
	if (r.bearer.Set() || !r.cfg.AllowUnauthenticated) && !r.bearer.Authorized(req.Header.Get("Authorization")) {
		w.Header().Set("WWW-Authenticate", `Bearer realm="hero_exporter"`)
		r.refuse(w, req, http.StatusUnauthorized, "missing or wrong bearer token")
		return
	}
	if !webhook.IsJSON(req) {
		r.refuse(w, req, http.StatusUnsupportedMediaType, "Content-Type must be application/json")
		return
	}
	limit := r.cfg.MaxBodyBytes
	tooLarge := fmt.Sprintf("body larger than %d bytes (max_body_bytes)", limit)
	if req.ContentLength > limit {
		r.refuse(w, req, http.StatusRequestEntityTooLarge, tooLarge)
		return
	}
	b, err := r.decode(http.MaxBytesReader(w, req.Body, limit))
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			r.refuse(w, req, http.StatusRequestEntityTooLarge, tooLarge)
			return
		}
		r.refuse(w, req, http.StatusBadRequest, err.Error())
		return
	}
	if len(b.Incidents) > 0 {
		if err := r.sink.Write(req.Context(), r.cfg.Name, b); err != nil {
			r.logger.Error("storing a webhook notification failed; Alertmanager will retry", "err", err)
			r.refuse(w, req, http.StatusInternalServerError, "storing the alerts failed")
			return
		}
		if r.notify != nil {
			r.notify()
		}
	}
	r.logger.Debug("webhook stored", "incidents", len(b.Incidents))
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusOK)
	fmt.Fprintf(w, "{\"status\":\"ok\",\"stored\":%d}\n", len(b.Incidents))
}

func reply(w http.ResponseWriter, code int, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(code)
	out, _ := json.Marshal(map[string]string{"status": "error", "error": msg})
	_, _ = w.Write(append(out, '\n'))
}

// decode reads a body as a stream (one alert at a time, never the whole body in
// memory) and maps it to a batch. Nothing is written when it fails.
func (r *Receiver) decode(body io.Reader) (*source.Batch, error) {
	dec := json.NewDecoder(body)
	tok, err := dec.Token()
	if errors.Is(err, io.EOF) {
		return nil, errors.New("empty body, expected an Alertmanager webhook JSON object")
	}
	if err != nil {
		return nil, malformed(err)
	}
	if d, ok := tok.(json.Delim); !ok || d != '{' {
		return nil, errors.New("malformed JSON: expected an Alertmanager webhook JSON object")
	}
	var (
		m         message
		alerts    []alert
		hasAlerts bool
	)
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return nil, malformed(err)
		}
		key, _ := tok.(string)
		switch key {
		case "alerts":
			if alerts, err = decodeAlerts(dec); err != nil {
				return nil, err
			}
			hasAlerts = alerts != nil
		case "version":
			err = dec.Decode(&m.Version)
		case "groupKey":
			err = dec.Decode(&m.GroupKey)
		case "truncatedAlerts":
			err = dec.Decode(&m.TruncatedAlerts)
		case "status":
			err = dec.Decode(&m.Status)
		default:
			var skip json.RawMessage
			err = dec.Decode(&skip)
		}
		if err != nil {
			return nil, malformed(err)
		}
	}
	if _, err := dec.Token(); err != nil { // the closing brace
		return nil, malformed(err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		if err != nil {
			return nil, malformed(err)
		}
		return nil, errors.New("malformed JSON: trailing data after the object")
	}
	if m.Version != "4" {
		return nil, fmt.Errorf("unsupported webhook version %q, want \"4\"", m.Version)
	}
	if !hasAlerts {
		return nil, errors.New(`missing field "alerts"`)
	}
	if m.TruncatedAlerts > 0 {
		r.logger.Warn("Alertmanager truncated this notification (max_alerts); the truncated alerts are not stored",
			"truncated", m.TruncatedAlerts, "group", m.GroupKey)
	}
	now := r.cfg.Now().UTC()
	byID := make(map[string]incident.Incident, len(alerts))
	for i, a := range alerts {
		if a.StartsAt.IsZero() {
			return nil, fmt.Errorf("alerts[%d]: missing startsAt", i)
		}
	}
	// Only a valid body admits label values (mapAlert), so a refused one leaves no trace.
	for _, a := range alerts {
		in := r.mapAlert(a, m.Status, now)
		if old, ok := byID[in.ID]; ok && !old.ResolvedAt.IsZero() && in.ResolvedAt.IsZero() {
			continue // the same alert twice in one body: resolved wins
		}
		byID[in.ID] = in
	}
	ids := make([]string, 0, len(byID))
	for id := range byID {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	// A firing notification delivered after the resolved one (a retry that lost the
	// race, or a replay after a restart) must not reopen the alert: the store keeps a
	// stored resolution. Ids are per occurrence (fingerprint@startsAt), so a new firing
	// of the same alert is a new incident.
	b := &source.Batch{KeepResolved: true, Incidents: make([]incident.Incident, 0, len(ids))}
	for _, id := range ids {
		b.Incidents = append(b.Incidents, byID[id])
	}
	return b, nil
}

// decodeAlerts reads the alerts array one element at a time; null is no array.
func decodeAlerts(dec *json.Decoder) ([]alert, error) {
	tok, err := dec.Token()
	if err != nil {
		return nil, malformed(err)
	}
	if tok == nil {
		return nil, nil
	}
	if d, ok := tok.(json.Delim); !ok || d != '[' {
		return nil, errors.New(`malformed JSON: "alerts" is not an array`)
	}
	out := []alert{}
	for i := 0; dec.More(); i++ {
		var a alert
		if err := dec.Decode(&a); err != nil {
			var mbe *http.MaxBytesError
			if errors.As(err, &mbe) {
				return nil, err
			}
			return nil, fmt.Errorf("malformed JSON: alerts[%d]: %w", i, err)
		}
		out = append(out, a)
	}
	if _, err := dec.Token(); err != nil { // the closing bracket
		return nil, malformed(err)
	}
	return out, nil
}

// malformed wraps a decoding error; a body over the limit stays recognisable.
func malformed(err error) error {
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		return err
	}
	if errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) {
		return errors.New("malformed JSON: unexpected end of the body")
	}
	return fmt.Errorf("malformed JSON: %v", err)
}

// mapAlert turns one alert into an incident. groupStatus stands in for an alert's own
// status, which Alertmanager versions before 0.16 do not send.
func (r *Receiver) mapAlert(a alert, groupStatus string, now time.Time) incident.Incident {
	fp := strings.ToLower(strings.TrimSpace(a.Fingerprint))
	if fp == "" {
		fp = Fingerprint(a.Labels)
	}
	created := a.StartsAt.UTC()
	in := incident.Incident{
		Source:        r.cfg.Name,
		ID:            fp + "@" + created.Format(time.RFC3339Nano),
		Title:         title(a, fp),
		Team:          r.labels.Admit("team", a.Labels[r.cfg.TeamLabel]),
		Service:       r.labels.Admit("service", a.Labels[r.cfg.ServiceLabel]),
		Severity:      Severity(a.Labels[r.cfg.SeverityLabel]),
		RecurrenceKey: fp,
		CreatedAt:     created,
	}
	status := a.Status
	if status == "" {
		status = groupStatus
	}
	if status == "resolved" {
		end := a.EndsAt.UTC()
		if end.IsZero() || end.Before(created) {
			end = now
			if end.Before(created) {
				end = created
			}
		}
		in.ResolvedAt = end
	}
	return in
}

// title is the alertname, with the summary annotation when there is one.
func title(a alert, fp string) string {
	name := a.Labels["alertname"]
	summary := strings.TrimSpace(a.Annotations["summary"])
	switch {
	case name != "" && summary != "":
		return name + ": " + summary
	case name != "":
		return name
	case summary != "":
		return summary
	}
	return "alert " + fp
}

var levelRE = regexp.MustCompile(`^(?:p|sev|s)[\s_-]*([0-9])$`)

// Severity maps a severity label value to the contract's severities (case-insensitive):
//
//	critical, crit, fatal, emergency, emerg, disaster, page, p0, p1, sev0, sev1 → critical
//	high, error, err, major, p2, sev2                                           → high
//	warning, warn, medium, moderate, minor, low, info, informational, notice,
//	none, p3…p9, sev3…sev9                                                      → low
//	anything else, or no label                                                  → unknown
//
// "warning" is low: by Prometheus convention warning alerts open a ticket and only
// critical ones page.
func Severity(v string) incident.Severity {
	v = strings.ToLower(strings.TrimSpace(v))
	switch v {
	case "critical", "crit", "fatal", "emergency", "emerg", "disaster", "page":
		return incident.SeverityCritical
	case "high", "error", "err", "major":
		return incident.SeverityHigh
	case "warning", "warn", "medium", "moderate", "minor", "low", "info", "informational", "notice", "none":
		return incident.SeverityLow
	}
	if m := levelRE.FindStringSubmatch(v); m != nil {
		n, _ := strconv.Atoi(m[1])
		switch {
		case n <= 1:
			return incident.SeverityCritical
		case n == 2:
			return incident.SeverityHigh
		default:
			return incident.SeverityLow
		}
	}
	return incident.SeverityUnknown
}

// Fingerprint is Alertmanager's fingerprint of a label set (Prometheus'
// model.LabelSet.Fingerprint: FNV-1a 64 over the sorted names and values, each followed
// by the byte 0xff), as 16 hex digits. It stands in for the fingerprint field, which
// Alertmanager versions before 0.19 do not send, so an alert keeps the same id after an
// upgrade.
func Fingerprint(labels map[string]string) string {
	names := make([]string, 0, len(labels))
	for n := range labels {
		names = append(names, n)
	}
	sort.Strings(names)
	h := fnv.New64a()
	sep := []byte{0xff}
	for _, n := range names {
		_, _ = h.Write([]byte(n))
		_, _ = h.Write(sep)
		_, _ = h.Write([]byte(labels[n]))
		_, _ = h.Write(sep)
	}
	return fmt.Sprintf("%016x", h.Sum64())
}

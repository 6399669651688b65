// Package changes is a push source for CI pipelines: an HTTP endpoint on the exporter
// that accepts changes (deploys, rollbacks, config changes) as a small JSON body, and,
// when a shared secret is configured, GitHub's deployment_status webhook beside it.
//
// Every change is an upsert by id, so a pipeline that retries, or GitHub redelivering a
// webhook, never counts a change twice. A request is validated whole before anything
// is written, and written in one store transaction: a bad request stores nothing, and
// a good one is stored before its 2xx answer. The body format and the GitHub setup are
// documented in docs/sources.md.
package changes

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/hero-exporter/hero_exporter/internal/incident"
	"github.com/hero-exporter/hero_exporter/internal/source"
	"github.com/hero-exporter/hero_exporter/internal/webhook"
)

// Type is the source type name in the config.
const Type = "changes"

// Limits of one request.
const (
	// DefaultMaxBodyBytes bounds a request body; max_body_bytes may set up to
	// MaxMaxBodyBytes.
	DefaultMaxBodyBytes = 1 << 20
	MaxMaxBodyBytes     = 64 << 20
	// MaxChanges is the most changes one request may carry.
	MaxChanges = 1000
	// MaxIDBytes bounds an id; MaxLabelBytes a service or team name, which become label
	// values.
	MaxIDBytes    = 256
	MaxLabelBytes = 128
	// MaxFuture is how far ahead of the exporter's clock a change's time may be (clock
	// skew); later ones are refused.
	MaxFuture = 24 * time.Hour
	// GitHubPath is appended to the source's path for the GitHub webhook.
	GitHubPath = "/github"
)

// Config configures the receiver.
type Config struct {
	Name string
	// Path is the HTTP path of the JSON endpoint (default "/changes/<name>"); the
	// GitHub webhook is at Path + "/github".
	Path string
	// Token must arrive as "Authorization: Bearer <token>" on the JSON endpoint; it is
	// required. Never logged.
	Token string
	// GitHubSecret is the webhook secret GitHub signs deliveries with
	// (X-Hub-Signature-256); empty: no GitHub endpoint. Never logged.
	GitHubSecret string
	// Environments, when not empty, are the GitHub deployment environments that count.
	Environments []string
	// MaxBodyBytes bounds a request body (default DefaultMaxBodyBytes).
	MaxBodyBytes int64
	// Labels bound the team and service values pushes may create.
	Labels webhook.LabelLimits
	// Now is the clock (default time.Now).
	Now func() time.Time
}

// Receiver is the changes push source. Its handlers are safe for concurrent use.
type Receiver struct {
	cfg      Config
	sink     source.Sink
	notify   func()
	logger   *slog.Logger
	bearer   webhook.Bearer
	labels   *webhook.LabelGuard
	requests webhook.Counter
}

var (
	_ source.Routes     = (*Receiver)(nil)
	_ source.PushSource = (*Receiver)(nil)
)

// New returns a receiver that writes to sink and calls notify (when not nil) after
// every write, so the analytics recompute.
func New(cfg Config, sink source.Sink, notify func(), logger *slog.Logger) (*Receiver, error) {
	if cfg.Name == "" {
		return nil, errors.New("changes: source name is empty")
	}
	if cfg.Token == "" {
		return nil, fmt.Errorf("changes %s: a token is required", cfg.Name)
	}
	if cfg.Path == "" {
		cfg.Path = "/changes/" + cfg.Name
	}
	if !strings.HasPrefix(cfg.Path, "/") {
		return nil, fmt.Errorf("changes %s: path %q does not start with /", cfg.Name, cfg.Path)
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
	return &Receiver{cfg: cfg, sink: sink, notify: notify, logger: logger.With("source", cfg.Name, "type", Type),
		bearer: webhook.NewBearer(cfg.Token), labels: webhook.NewLabelGuard(cfg.Labels, logger.With("source", cfg.Name, "type", Type))}, nil
}

// Name is the configured source name.
func (r *Receiver) Name() string { return r.cfg.Name }

// Type is "changes".
func (r *Receiver) Type() string { return Type }

// Capabilities are all false: the source supplies changes only.
func (r *Receiver) Capabilities() incident.Capabilities { return incident.Capabilities{} }

// Sync does nothing: changes arrive by push and are stored as they arrive.
func (r *Receiver) Sync(ctx context.Context, _ string, _ source.Sink) error { return ctx.Err() }

// Path is the JSON endpoint's path.
func (r *Receiver) Path() string { return r.cfg.Path }

// Handler serves the JSON endpoint.
func (r *Receiver) Handler() http.Handler { return r.requests.Wrap(http.HandlerFunc(r.serveJSON)) }

// Routes are the JSON endpoint and, with a secret, the GitHub webhook.
func (r *Receiver) Routes() map[string]http.Handler {
	out := map[string]http.Handler{r.cfg.Path: r.Handler()}
	if r.cfg.GitHubSecret != "" {
		out[r.GitHubPath()] = r.requests.Wrap(http.HandlerFunc(r.serveGitHub))
	}
	return out
}

// GitHubPath is the GitHub webhook's path.
func (r *Receiver) GitHubPath() string { return strings.TrimRight(r.cfg.Path, "/") + GitHubPath }

// WebhookRequests implements source.PushSource: requests answered so far, by status.
func (r *Receiver) WebhookRequests() map[string]float64 { return r.requests.Counts() }

// FoldedLabelValues implements source.PushSource: team and service values folded into
// "other", by label.
func (r *Receiver) FoldedLabelValues() map[string]float64 { return r.labels.Folded() }

// SeedLabels admits the team and service values stored before, so that the bound on
// them holds across restarts.
func (r *Receiver) SeedLabels(ctx context.Context, store any) {
	r.labels.SeedFrom(ctx, store, r.cfg.Name)
}

// refuse answers with an error status and logs why (never a token or secret).
func (r *Receiver) refuse(w http.ResponseWriter, req *http.Request, code int, msg string) {
	level := slog.LevelWarn
	if code >= 500 {
		level = slog.LevelError
	}
	r.logger.Log(req.Context(), level, "change push refused", "path", req.URL.Path, "code", code, "reason", msg, "remote", req.RemoteAddr)
	reply(w, code, map[string]any{"status": "error", "error": msg})
}

func reply(w http.ResponseWriter, code int, body map[string]any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(code)
	out, _ := json.Marshal(body)
	_, _ = w.Write(append(out, '\n'))
}

// readBody checks the method and the content type and reads the bounded body; on any
// failure it has answered and returns ok false.
func (r *Receiver) readBody(w http.ResponseWriter, req *http.Request) ([]byte, bool) {
	if req.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		r.refuse(w, req, http.StatusMethodNotAllowed, "only POST is accepted")
		return nil, false
	}
	if !webhook.IsJSON(req) {
		r.refuse(w, req, http.StatusUnsupportedMediaType, "Content-Type must be application/json")
		return nil, false
	}
	limit := r.cfg.MaxBodyBytes
	tooLarge := fmt.Sprintf("body larger than %d bytes (max_body_bytes)", limit)
	if req.ContentLength > limit {
		r.refuse(w, req, http.StatusRequestEntityTooLarge, tooLarge)
		return nil, false
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, req.Body, limit))
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			r.refuse(w, req, http.StatusRequestEntityTooLarge, tooLarge)
		} else {
			r.refuse(w, req, http.StatusBadRequest, "reading the body failed")
		}
		return nil, false
	}
	return body, true
}

// store writes the changes in one batch (one transaction) and answers.
func (r *Receiver) store(w http.ResponseWriter, req *http.Request, changes []incident.Change) {
	for i := range changes {
		changes[i].Team = r.labels.Admit("team", changes[i].Team)
		changes[i].Service = r.labels.Admit("service", changes[i].Service)
	}
	if len(changes) > 0 {
		if err := r.sink.Write(req.Context(), r.cfg.Name, &source.Batch{Changes: changes}); err != nil {
			r.logger.Error("storing changes failed", "err", err)
			r.refuse(w, req, http.StatusInternalServerError, "storing the changes failed; retry")
			return
		}
		if r.notify != nil {
			r.notify()
		}
	}
	r.logger.Debug("changes stored", "changes", len(changes))
	reply(w, http.StatusOK, map[string]any{"status": "ok", "stored": len(changes)})
}

// ---- the JSON endpoint ----

// pushed is one change of the JSON body. Unknown fields are refused.
type pushed struct {
	ID      string  `json:"id"`
	Service string  `json:"service"`
	Team    string  `json:"team"`
	Kind    string  `json:"kind"`
	Time    *string `json:"time"`
}

// serveJSON accepts one change object or a list of them:
//
//	405 not a POST; 401 missing or wrong bearer token; 415 not application/json;
//	413 body over max_body_bytes or more than MaxChanges changes; 400 not JSON, an
//	unknown field, or a change that breaks a rule (each named by its index);
//	500 the store failed. 200 {"status":"ok","stored":N} once stored.
func (r *Receiver) serveJSON(w http.ResponseWriter, req *http.Request) {
	if req.Method == http.MethodPost && !r.bearer.Authorized(req.Header.Get("Authorization")) {
		w.Header().Set("WWW-Authenticate", `Bearer realm="hero_exporter"`)
		r.refuse(w, req, http.StatusUnauthorized, "missing or wrong bearer token")
		return
	}
	body, ok := r.readBody(w, req)
	if !ok {
		return
	}
	changes, code, err := r.parse(body)
	if err != nil {
		r.refuse(w, req, code, err.Error())
		return
	}
	r.store(w, req, changes)
}

// parse decodes and checks a body; nothing is returned unless every change is valid.
func (r *Receiver) parse(body []byte) ([]incident.Change, int, error) {
	body = bytes.TrimSpace(body)
	var raws []json.RawMessage
	list := false
	switch {
	case len(body) == 0:
		return nil, http.StatusBadRequest, errors.New("empty body; send a change object or a list of them")
	case body[0] == '[':
		list = true
		if err := json.Unmarshal(body, &raws); err != nil {
			return nil, http.StatusBadRequest, fmt.Errorf("malformed JSON: %v", err)
		}
		if len(raws) > MaxChanges {
			return nil, http.StatusRequestEntityTooLarge, fmt.Errorf("%d changes in one request, at most %d; send them in several", len(raws), MaxChanges)
		}
	case body[0] == '{':
		raws = []json.RawMessage{body}
	default:
		return nil, http.StatusBadRequest, errors.New("malformed JSON: expected a change object or a list of them")
	}
	now := r.cfg.Now()
	out := make([]incident.Change, 0, len(raws))
	for i, raw := range raws {
		c, err := decodeChange(raw, now)
		if err != nil {
			if list {
				err = fmt.Errorf("changes[%d]: %w", i, err)
			}
			return nil, http.StatusBadRequest, err
		}
		c.Source = r.cfg.Name
		out = append(out, c)
	}
	return out, 0, nil
}

func decodeChange(raw json.RawMessage, now time.Time) (incident.Change, error) {
	var p pushed
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&p); err != nil {
		if strings.HasPrefix(err.Error(), "json: unknown field") {
			return incident.Change{}, fmt.Errorf("%s (known: id, time, service, team, kind)", strings.TrimPrefix(err.Error(), "json: "))
		}
		return incident.Change{}, fmt.Errorf("malformed JSON: %v", err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return incident.Change{}, errors.New("malformed JSON: trailing data after the object")
	}
	if err := checkText("id", p.ID, MaxIDBytes, true); err != nil {
		return incident.Change{}, err
	}
	if err := checkText("service", p.Service, MaxLabelBytes, false); err != nil {
		return incident.Change{}, err
	}
	if err := checkText("team", p.Team, MaxLabelBytes, false); err != nil {
		return incident.Change{}, err
	}
	switch p.Kind {
	case "", incident.ChangeDeploy, incident.ChangeRollback, incident.ChangeConfig, incident.ChangeOther:
	default:
		return incident.Change{}, fmt.Errorf("kind: %q is not deploy, rollback, config or other", p.Kind)
	}
	if p.Time == nil || *p.Time == "" {
		return incident.Change{}, errors.New("time: required (RFC 3339)")
	}
	at, err := time.Parse(time.RFC3339Nano, *p.Time)
	if err != nil {
		return incident.Change{}, fmt.Errorf("time: %q is not an RFC 3339 time", *p.Time)
	}
	if at.After(now.Add(MaxFuture)) {
		return incident.Change{}, fmt.Errorf("time: %s is more than %s ahead of the exporter's clock", *p.Time, MaxFuture)
	}
	return incident.Change{ID: p.ID, Service: p.Service, Team: p.Team, Kind: incident.ParseChangeKind(p.Kind), Time: at.UTC()}, nil
}

// checkText bounds a text that becomes an id or a label value: valid UTF-8, no control
// characters, at most max bytes.
func checkText(field, v string, max int, required bool) error {
	switch {
	case v == "" && required:
		return fmt.Errorf("%s: required", field)
	case len(v) > max:
		return fmt.Errorf("%s: longer than %d bytes", field, max)
	case !utf8.ValidString(v):
		return fmt.Errorf("%s: not valid UTF-8", field)
	case strings.ContainsFunc(v, unicode.IsControl):
		return fmt.Errorf("%s: contains a control character", field)
	}
	return nil
}

// ---- GitHub's deployment_status webhook ----

// deploymentStatusEvent is the part of a deployment_status delivery the source reads.
type deploymentStatusEvent struct {
	DeploymentStatus *struct {
		State       string     `json:"state"`
		Environment string     `json:"environment"`
		CreatedAt   *time.Time `json:"created_at"`
	} `json:"deployment_status"`
	Deployment *struct {
		ID          *int64  `json:"id"`
		Environment string  `json:"environment"`
		Task        string  `json:"task"`
		Description *string `json:"description"`
	} `json:"deployment"`
	Repository *struct {
		Name string `json:"name"`
	} `json:"repository"`
}

// serveGitHub accepts GitHub webhook deliveries (content type application/json). The
// X-Hub-Signature-256 HMAC is checked before anything in the body is read. A
// deployment_status whose state is success, in a counted environment, is stored as a
// change; other states, environments and events are answered 200 and ignored, ping
// included, so GitHub shows the delivery as received.
//
//	405 not a POST; 415 not application/json; 413 body over max_body_bytes; 401 missing
//	or wrong signature; 400 a deployment_status without the fields the change needs;
//	500 the store failed.
func (r *Receiver) serveGitHub(w http.ResponseWriter, req *http.Request) {
	body, ok := r.readBody(w, req)
	if !ok {
		return
	}
	if !r.signed(req.Header.Get("X-Hub-Signature-256"), body) {
		r.refuse(w, req, http.StatusUnauthorized, "missing or wrong X-Hub-Signature-256 (HMAC-SHA256 of the body with the webhook secret)")
		return
	}
	event := req.Header.Get("X-GitHub-Event")
	if event != "deployment_status" {
		reply(w, http.StatusOK, map[string]any{"status": "ignored", "reason": "event " + strconv.Quote(event) + " is not deployment_status"})
		return
	}
	var ev deploymentStatusEvent
	if err := json.Unmarshal(body, &ev); err != nil {
		r.refuse(w, req, http.StatusBadRequest, fmt.Sprintf("malformed JSON: %v", err))
		return
	}
	switch {
	case ev.DeploymentStatus == nil || ev.Deployment == nil || ev.Repository == nil:
		r.refuse(w, req, http.StatusBadRequest, "missing deployment_status, deployment or repository")
		return
	case ev.Deployment.ID == nil:
		r.refuse(w, req, http.StatusBadRequest, "missing deployment.id")
		return
	case ev.DeploymentStatus.State == "":
		r.refuse(w, req, http.StatusBadRequest, "missing deployment_status.state")
		return
	}
	if err := checkText("repository.name", ev.Repository.Name, MaxLabelBytes, true); err != nil {
		r.refuse(w, req, http.StatusBadRequest, err.Error())
		return
	}
	env := ev.Deployment.Environment
	if env == "" {
		env = ev.DeploymentStatus.Environment
	}
	if st := ev.DeploymentStatus.State; st != "success" {
		reply(w, http.StatusOK, map[string]any{"status": "ignored", "reason": "state " + strconv.Quote(st) + " is not success"})
		return
	}
	if len(r.cfg.Environments) > 0 && !slices.Contains(r.cfg.Environments, env) {
		reply(w, http.StatusOK, map[string]any{"status": "ignored", "reason": "environment " + strconv.Quote(env) + " is not counted"})
		return
	}
	at := r.cfg.Now().UTC()
	if t := ev.DeploymentStatus.CreatedAt; t != nil && !t.IsZero() {
		at = t.UTC()
	}
	desc := ""
	if ev.Deployment.Description != nil {
		desc = *ev.Deployment.Description
	}
	// A deployment is a deploy unless its task or description says rollback or config.
	kind := source.ChangeKind("", ev.Deployment.Task, desc)
	if kind == incident.ChangeOther {
		kind = incident.ChangeDeploy
	}
	r.store(w, req, []incident.Change{{Source: r.cfg.Name, ID: "github-deployment-" + strconv.FormatInt(*ev.Deployment.ID, 10),
		Service: ev.Repository.Name, Kind: kind, Time: at}})
}

// signed checks GitHub's "sha256=<hex>" signature of body in constant time.
func (r *Receiver) signed(header string, body []byte) bool {
	hexSig, ok := strings.CutPrefix(strings.TrimSpace(header), "sha256=")
	if !ok {
		return false
	}
	got, err := hex.DecodeString(hexSig)
	if err != nil {
		return false
	}
	mac := hmac.New(sha256.New, []byte(r.cfg.GitHubSecret))
	mac.Write(body)
	return hmac.Equal(got, mac.Sum(nil))
}

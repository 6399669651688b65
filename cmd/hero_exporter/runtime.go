package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"reflect"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/hero-exporter/hero_exporter/collector"
	"github.com/hero-exporter/hero_exporter/internal/config"
	"github.com/hero-exporter/hero_exporter/internal/engine"
	"github.com/hero-exporter/hero_exporter/internal/incident"
	"github.com/hero-exporter/hero_exporter/internal/logscan"
	"github.com/hero-exporter/hero_exporter/internal/logscan/demolog"
	"github.com/hero-exporter/hero_exporter/internal/pseudonym"
	"github.com/hero-exporter/hero_exporter/internal/source"
	_ "github.com/hero-exporter/hero_exporter/internal/source/all" // every source type
	"github.com/hero-exporter/hero_exporter/internal/source/httpapi"
	"github.com/hero-exporter/hero_exporter/internal/store"
)

// runtime is the running exporter: the store, the engine and the current config.
type runtime struct {
	logger *slog.Logger
	store  *store.Store
	engine *engine.Engine

	// clock is what sources read time from: the wall clock, or with --debug.now a clock
	// that starts at the pinned time and runs on from there.
	clock httpapi.Clock
	// now is the analytics clock (pinned with --debug.now); retention is measured on it.
	now func() time.Time

	mu  sync.Mutex // serialises reloads
	cfg *config.Config
	// built are the running sources by name with the configuration they were built
	// from; a reload reuses those whose configuration did not change.
	built map[string]builtSource

	reloadMu      sync.Mutex
	reloadOK      bool      // the last load or reload of the configuration succeeded
	reloadSuccess time.Time // when the configuration was last loaded successfully

	logsMu    sync.Mutex
	followers map[string]*runningLog // by log name

	// exposition is the encoded snapshot metrics; handler serves them.
	exposition atomic.Pointer[collector.Exposition]
	webhooks   atomic.Pointer[map[string]http.Handler] // by path, of the current config
	handler    *collector.Handler

	// background work owned by the runtime (the demo log writer) ends with cancel.
	bgCtx  context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup
}

// builtSource is a running source and what it was built from.
type builtSource struct {
	cfg config.Source
	tz  string // hours.default_timezone, which API sources read
	src source.Source
}

// sameSource reports whether a source configuration is unchanged, ignoring where in the
// file its durations were written.
func sameSource(a, b config.Source) bool {
	for _, s := range []*config.Source{&a, &b} {
		s.RefreshInterval.Line, s.History.Line, s.Timeout.Line = 0, 0, 0
		s.RefreshInterval.Text, s.History.Text, s.Timeout.Text = "", "", ""
	}
	return reflect.DeepEqual(a, b)
}

// runningLog is a log follower with the configuration it was started with.
type runningLog struct {
	cfg      config.Log
	follower *logscan.Follower
	pods     *podLogs // label_from_path: kubernetes (then follower is nil)
	cancel   context.CancelFunc
	done     chan struct{}
}

// shiftedClock runs at wall-clock speed from a pinned start.
type shiftedClock struct {
	httpapi.RealClock
	offset time.Duration
}

func (c shiftedClock) Now() time.Time { return time.Now().Add(c.offset) }

func newRuntime(ctx context.Context, o *options, logger *slog.Logger) (*runtime, error) {
	st, err := store.Open(ctx, o.storagePath, logger)
	if err != nil {
		return nil, err
	}
	opts := engine.Options{}
	var clock httpapi.Clock = httpapi.RealClock{}
	if o.fakeNow != "" {
		now, err := time.Parse(time.RFC3339, o.fakeNow)
		if err != nil {
			st.Close()
			return nil, fmt.Errorf("--debug.now: %w", err)
		}
		// Analytics see exactly the pinned time; sources see time move on from it, so
		// rate limiters and "since" ranges behave as in production.
		opts.Now = func() time.Time { return now }
		clock = shiftedClock{offset: time.Until(now)}
	}
	bgCtx, cancel := context.WithCancel(ctx)
	rt := &runtime{logger: logger, store: st, clock: clock, bgCtx: bgCtx, cancel: cancel, now: time.Now}
	if opts.Now != nil {
		rt.now = opts.Now
	}
	opts.OnPublish = rt.publish
	rt.engine = engine.New(st, logger, opts)
	return rt, nil
}

// publish encodes a new snapshot's metrics before scrapes can see it.
func (rt *runtime) publish(snap *incident.Snapshot) {
	e, err := collector.NewExposition(snap, rt.logger)
	if err != nil {
		rt.logger.Error("cannot encode snapshot metrics; serving the previous ones", "err", err)
		return
	}
	if h := rt.handler; h != nil {
		h.Prepare(e)
	}
	rt.exposition.Store(e)
}

// currentExposition returns the encoded metrics of the latest snapshot, nil before it.
func (rt *runtime) currentExposition() *collector.Exposition { return rt.exposition.Load() }

// recordedResults are the snapshot collectors' results at the last encoding.
func (rt *runtime) recordedResults() map[string]collector.Result {
	if e := rt.exposition.Load(); e != nil {
		return e.Results()
	}
	return nil
}

// apply starts the sources of cfg, replacing those of the previous config.
func (rt *runtime) apply(ctx context.Context, cfg *config.Config) (err error) {
	rt.mu.Lock()
	defer rt.mu.Unlock()
	defer func() {
		if err != nil && rt.cfg != nil { // the running configuration stays, with its scrub
			_ = rt.applyPersonScrub(ctx, rt.cfg)
		}
	}()
	// Before any source writes: in hashed mode the store keeps no clear name or email.
	if err := rt.applyPersonScrub(ctx, cfg); err != nil {
		return err
	}
	runnables, webhooks, built, err := rt.buildSources(cfg)
	if err != nil {
		return err
	}
	if err := rt.engine.Apply(ctx, cfg.Analytics(), runnables); err != nil {
		return err
	}
	rt.built = built
	if err := rt.applyLogs(ctx, cfg.Logs, logWindows(cfg)); err != nil {
		return err
	}
	rt.webhooks.Store(&webhooks)
	rt.cfg = cfg
	rt.logger.Info("configuration applied", "file", cfg.File, "sources", len(cfg.Sources), "logs", len(cfg.Logs))
	return nil
}

// applyPersonScrub makes the store keep only pseudonyms with person_label: hashed (and
// rewrites what it already holds), or people as they come otherwise.
func (rt *runtime) applyPersonScrub(ctx context.Context, cfg *config.Config) error {
	var scrub store.PersonScrub
	if cfg.PersonLabel == "hashed" {
		scrub = pseudonym.Key(cfg.HashKey).Scrub
	}
	n, err := rt.store.SetPersonScrub(ctx, scrub)
	if err != nil {
		return fmt.Errorf("person_label hashed: %w", err)
	}
	if n > 0 {
		rt.logger.Info("person_label is hashed: names dropped and emails replaced by their keyed hashes in the store", "people", n)
	}
	return nil
}

// reload re-reads the configuration; on any error the running one stays.
func (rt *runtime) reload(ctx context.Context, o *options) error {
	cfg, err := loadConfig(o)
	if err == nil {
		err = rt.apply(ctx, cfg)
	}
	rt.recordReload(err == nil)
	if err != nil {
		rt.logger.Error("reload failed; keeping the previous configuration", "err", err)
		return err
	}
	rt.logger.Info("configuration reloaded")
	return nil
}

// recordReload sets hero_exporter_config_last_reload_successful and, on success, its
// timestamp.
func (rt *runtime) recordReload(ok bool) {
	rt.reloadMu.Lock()
	defer rt.reloadMu.Unlock()
	rt.reloadOK = ok
	if ok {
		rt.reloadSuccess = time.Now()
	}
}

// ConfigReload implements collector.ReloadProvider.
func (rt *runtime) ConfigReload() collector.ReloadStatus {
	rt.reloadMu.Lock()
	defer rt.reloadMu.Unlock()
	return collector.ReloadStatus{Successful: rt.reloadOK, LastSuccess: rt.reloadSuccess}
}

func (rt *runtime) close() {
	rt.cancel()
	rt.engine.Stop()
	rt.engine.Wait()
	rt.logsMu.Lock()
	for name, rl := range rt.followers {
		rl.cancel()
		<-rl.done
		delete(rt.followers, name)
	}
	rt.logsMu.Unlock()
	rt.wg.Wait()
	if err := rt.store.Close(); err != nil {
		rt.logger.Error("closing store", "err", err)
	}
}

// applyLogs starts a follower per configured log. A follower whose configuration did not
// change keeps running (its counters continue); others stop, saving their positions.
// logWindows are the configured windows, for the exception trend figures.
func logWindows(cfg *config.Config) []logscan.Window {
	out := make([]logscan.Window, 0, len(cfg.Windows))
	for _, w := range cfg.Windows {
		out = append(out, logscan.Window{Name: w.String(), D: w.D})
	}
	return out
}

func (rt *runtime) applyLogs(ctx context.Context, logs []config.Log, windows []logscan.Window) error {
	rt.logsMu.Lock()
	defer rt.logsMu.Unlock()
	defer func() { // windows may change without the logs: every follower takes them
		for _, rl := range rt.followers {
			if rl.follower != nil {
				rl.follower.Counter().SetWindows(windows)
			}
		}
	}()
	if rt.followers == nil {
		rt.followers = map[string]*runningLog{}
	}
	want := map[string]config.Log{}
	for _, l := range logs {
		want[l.Name] = l
	}
	for name, rl := range rt.followers {
		if l, ok := want[name]; !ok || !reflect.DeepEqual(l, rl.cfg) {
			rl.cancel()
			<-rl.done
			delete(rt.followers, name)
		}
	}
	for _, l := range logs {
		if _, ok := rt.followers[l.Name]; ok {
			continue
		}
		newFollower := func(name string, paths []string) (*logscan.Follower, error) {
			return logscan.NewFollower(logscan.FollowOptions{
				Name: name, Paths: paths, Format: l.Format, TopK: l.TopK, InApp: l.InApp, FromStart: l.FromStart,
				Exclude: l.Exclude, Mask: l.Mask, Messages: l.Messages, PollInterval: l.PollInterval.D,
				NoWatch: l.Watch != nil && !*l.Watch, Logger: rt.logger, Windows: windows,
			}, rt.store)
		}
		if l.LabelFromPath == "kubernetes" {
			rt.startPodLogs(ctx, l, newFollower)
			continue
		}
		fl, err := newFollower(l.Name, l.Paths)
		if err != nil {
			return fmt.Errorf("log %s: %w", l.Name, err)
		}
		fctx, cancel := context.WithCancel(ctx)
		rl := &runningLog{cfg: l, follower: fl, cancel: cancel, done: make(chan struct{})}
		go func() {
			defer close(rl.done)
			_ = fl.Run(fctx)
		}()
		rt.followers[l.Name] = rl
	}
	return nil
}

// startPodLogs runs the discovery of a label_from_path: kubernetes log (rt.logsMu held).
func (rt *runtime) startPodLogs(ctx context.Context, l config.Log, newFollower func(string, []string) (*logscan.Follower, error)) {
	every := l.PollInterval.D
	if every <= 0 {
		every = time.Second
	}
	// New pods appear at most every few seconds; looking for them more often than the
	// files are polled gains nothing.
	every = max(every, 5*time.Second)
	p := &podLogs{
		cfg: l, every: every, logger: rt.logger,
		followers: map[string]*logscan.Follower{}, skipped: map[string]bool{},
		start: func(_ context.Context, name, glob string) (*logscan.Follower, error) {
			return newFollower(name, []string{glob})
		},
	}
	fctx, cancel := context.WithCancel(ctx)
	rl := &runningLog{cfg: l, pods: p, cancel: cancel, done: make(chan struct{})}
	go func() {
		defer close(rl.done)
		p.Run(fctx)
	}()
	rt.followers[l.Name] = rl
}

// startDemoLog writes the demo's application log in the background.
func (rt *runtime) startDemoLog(path, log string) {
	// A new demo store gets the hourly counts of an exception fixed before it started,
	// so the trend figures show a retired fingerprint from the first scrape.
	if err := demolog.SeedHistory(rt.bgCtx, rt.store, log, rt.now()); err != nil {
		rt.logger.Warn("cannot seed the demo log's exception history", "err", err)
	}
	rt.wg.Add(1)
	go func() {
		defer rt.wg.Done()
		if err := demolog.Run(rt.bgCtx, path, demolog.Options{Seed: 1}); err != nil {
			rt.logger.Error("demo log writer stopped", "err", err)
		}
	}()
}

// LogStats implements collector.Provider.
func (rt *runtime) LogStats() []logscan.Stats {
	rt.logsMu.Lock()
	defer rt.logsMu.Unlock()
	out := make([]logscan.Stats, 0, len(rt.followers))
	for _, rl := range rt.followers {
		if rl.pods != nil {
			out = append(out, rl.pods.Stats()...)
			continue
		}
		out = append(out, rl.follower.Counter().Stats())
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Log < out[j].Log })
	return out
}

// withWebhooks serves the webhook receivers of the current configuration at their paths
// and everything else with next. The lookup happens per request, so a reload can add,
// move or remove receivers without touching the mux.
func (rt *runtime) withWebhooks(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if hooks := rt.webhooks.Load(); hooks != nil {
			if h, ok := (*hooks)[r.URL.Path]; ok {
				h.ServeHTTP(w, r)
				return
			}
		}
		next.ServeHTTP(w, r)
	})
}

// Snapshot implements collector.Provider.
func (rt *runtime) Snapshot() *incident.Snapshot { return rt.engine.Snapshot() }

// SourceStatuses implements collector.Provider.
func (rt *runtime) SourceStatuses() []source.Status { return rt.engine.SourceStatuses() }

// buildSources creates one source per configured entry with the constructor its type
// registered (see internal/source/all), and the HTTP handlers of the push (webhook)
// sources by path.
func (rt *runtime) buildSources(cfg *config.Config) ([]engine.Runnable, map[string]http.Handler, map[string]builtSource, error) {
	env := source.Env{Config: cfg, Clock: rt.clock, Logger: rt.logger, Store: rt.store, Recompute: rt.engine.RequestRecompute}
	out := make([]engine.Runnable, 0, len(cfg.Sources))
	hooks := map[string]http.Handler{}
	built := make(map[string]builtSource, len(cfg.Sources))
	reused := 0
	for i, sc := range cfg.Sources {
		// An unchanged source keeps running as it is: its rate limiter, request
		// counters, schedule and reference data stay.
		var src source.Source
		if old, ok := rt.built[sc.Name]; ok && old.tz == cfg.Hours.DefaultTimezone && sameSource(old.cfg, sc) {
			src = old.src
			reused++
		} else {
			var err error
			if src, err = source.New(sc, env); err != nil {
				return nil, nil, nil, fmt.Errorf("sources[%d] (%s): %w", i, sc.Name, err)
			}
		}
		built[sc.Name] = builtSource{cfg: sc, tz: cfg.Hours.DefaultTimezone, src: src}
		for path, h := range source.PushRoutes(src) {
			if _, dup := hooks[path]; dup {
				return nil, nil, nil, &config.Error{File: cfg.File, Field: fmt.Sprintf("sources[%d].path", i),
					Msg: fmt.Sprintf("path %s is already used by another push source", path)}
			}
			hooks[path] = h
		}
		out = append(out, engine.Runnable{Source: src, Interval: sc.RefreshInterval.D})
	}
	if rt.built != nil {
		rt.logger.Info("sources rebuilt where their configuration changed", "unchanged", reused, "rebuilt", len(cfg.Sources)-reused)
	}
	return out, hooks, built, nil
}

// describeConfig prints what a configuration would run; tokens show only where they
// come from.
func describeConfig(w io.Writer, c *config.Config) {
	fmt.Fprintf(w, "configuration %s is valid\n", c.File)
	ws := make([]string, len(c.Windows))
	for i, win := range c.Windows {
		ws[i] = win.String()
	}
	fmt.Fprintf(w, "windows: %s; person label: %s; default time zone: %s\n", strings.Join(ws, ", "), c.PersonLabel, c.Hours.DefaultTimezone)
	fmt.Fprintf(w, "hours: business %s-%s %s; sleep %s-%s; holidays %v\n", c.Hours.Business.Start, c.Hours.Business.End,
		strings.Join(c.Hours.Business.Days, ","), c.Hours.Sleep.Start, c.Hours.Sleep.End, c.Hours.Holidays)
	fmt.Fprintf(w, "thresholds: solo_after %s, recurrence_within %s\n", c.Thresholds.SoloAfter, c.Thresholds.RecurrenceWithin)
	for _, s := range c.Sources {
		fmt.Fprintf(w, "source %s: type %s, refresh every %s", s.Name, s.Type, s.RefreshInterval)
		if s.BaseURL != "" {
			fmt.Fprintf(w, ", base_url %s", s.BaseURL)
		}
		if s.History.D > 0 {
			fmt.Fprintf(w, ", history %s", s.History)
		}
		switch {
		case s.TokenFile != "":
			fmt.Fprintf(w, ", token from file %s", s.TokenFile)
		case s.TokenEnv != "":
			fmt.Fprintf(w, ", token from $%s", s.TokenEnv)
		}
		if s.SecretFile != "" {
			fmt.Fprintf(w, ", secret from file %s", s.SecretFile)
		}
		if s.Path != "" {
			fmt.Fprintf(w, ", path %s", s.Path)
		}
		fmt.Fprintln(w)
	}
	for _, l := range c.Logs {
		label := ""
		if l.LabelFromPath == "kubernetes" {
			label = ", log label <namespace>/<container> from the pod log path"
		}
		fmt.Fprintf(w, "log %s: %s, format %s, top_k %d%s\n", l.Name, strings.Join(l.Paths, " "), l.Format, l.TopK, label)
	}
}

// Package engine runs the sources in the background, writes what they return to the
// store, recomputes the analytics and publishes each result as an immutable snapshot.
// Scrapes only ever read the latest snapshot.
package engine

import (
	"context"
	"errors"
	"log/slog"
	"math/rand/v2"
	"sort"
	"sync"
	"sync/atomic"
	"time"

	"github.com/hero-exporter/hero_exporter/internal/incident"
	"github.com/hero-exporter/hero_exporter/internal/source"
	"github.com/hero-exporter/hero_exporter/internal/store"
)

// Store is what the engine needs from the store.
type Store interface {
	source.Sink
	Cursor(ctx context.Context, source string) (string, error)
	RegisterSource(ctx context.Context, name, typ string, caps incident.Capabilities) error
	LoadHistory(ctx context.Context, since time.Time) (*incident.History, error)
}

// HistoryCacher is a Store that can keep the history in memory between recomputes
// and read only what changed (store.Store). The engine uses the cache when the
// Store has one, LoadHistory otherwise.
type HistoryCacher interface {
	NewHistoryCache() *store.HistoryCache
}

// Options tune the engine; zero values take defaults.
type Options struct {
	Now func() time.Time
	// RecomputeEvery re-runs the analytics without new data, so windows slide and
	// open incidents age. Default 30s.
	RecomputeEvery time.Duration
	// MaxStartJitter bounds the random delay before a source's first sync. Default 5s.
	MaxStartJitter time.Duration
	// MaxBackoff caps the wait after repeated failures. Default 30m.
	MaxBackoff time.Duration
	// OnPublish, when set, is called with every new snapshot before it becomes current
	// (the exporter encodes its metrics there, off the scrape path).
	OnPublish func(*incident.Snapshot)
}

// Engine owns the background work. Its methods are safe for concurrent use.
type Engine struct {
	store  Store
	logger *slog.Logger
	opts   Options

	snapshot atomic.Pointer[incident.Snapshot]
	settings atomic.Pointer[incident.Settings]
	// loadHistory is the store's LoadHistory or its history cache's Load. The
	// cache's History is valid only until its next Load, so recomputeMu runs one
	// recompute (load and analytics) at a time.
	loadHistory func(ctx context.Context, since time.Time) (*incident.History, error)
	recomputeMu sync.Mutex
	trends      trendCache    // previous-window replays, reused for a few minutes
	kick        chan struct{} // asks the recompute loop for a run; buffered, coalescing

	// Readiness: syncGen counts finished sync attempts; a recompute records the value
	// it saw before loading the history in publishedGen. A source is settled once its
	// first sync attempt has finished, or at Apply when the store already holds what it
	// read before (a cursor); settled[name] is syncGen at that moment. Ready needs every
	// configured source settled and a snapshot published from a load that came after.
	syncGen      atomic.Uint64
	publishedGen atomic.Uint64

	mu       sync.Mutex
	settled  map[string]uint64 // by source name; absent while its first attempt is pending
	statuses map[string]*source.Status
	sources  map[string]source.Source
	running  map[string]*atomic.Bool // by source name; survives reloads so runs never overlap
	runners  map[string]*runner      // by source name
	baseCtx  context.Context         // parent of every runner's context; cancel ends them all
	cancel   context.CancelFunc
	wg       sync.WaitGroup
	loopOnce sync.Once
}

// New returns an engine that has published nothing yet.
func New(store Store, logger *slog.Logger, opts Options) *Engine {
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.RecomputeEvery <= 0 {
		opts.RecomputeEvery = 30 * time.Second
	}
	if opts.MaxStartJitter <= 0 {
		opts.MaxStartJitter = 5 * time.Second
	}
	if opts.MaxBackoff <= 0 {
		opts.MaxBackoff = 30 * time.Minute
	}
	e := &Engine{
		store: store, logger: logger, opts: opts,
		loadHistory: store.LoadHistory,
		kick:        make(chan struct{}, 1),
		statuses:    map[string]*source.Status{},
		settled:     map[string]uint64{},
		sources:     map[string]source.Source{},
		running:     map[string]*atomic.Bool{},
	}
	if hc, ok := store.(HistoryCacher); ok {
		e.loadHistory = hc.NewHistoryCache().Load
	}
	return e
}

// Runnable is a source with its refresh interval.
type Runnable struct {
	Source   source.Source
	Interval time.Duration
}

// runner is the background loop of one source.
type runner struct {
	src      source.Source
	interval time.Duration
	cancel   context.CancelFunc
}

// Apply (re)starts the engine with new settings and sources, and recomputes the
// analytics at once. A source handed in again as the same instance with the same
// interval keeps its runner: its schedule goes on, and whatever the instance holds
// (rate limiter, request counters, reference data) stays. The runners of other sources
// stop; new ones start. Stored data stays in every case.
func (e *Engine) Apply(ctx context.Context, settings incident.Settings, sources []Runnable) error {
	// Capabilities are registered after each successful sync, not here: until a source
	// has read something, what it stored earlier (and could supply then) stays in force.
	e.settings.Store(&settings)

	// A source with a stored cursor has history in the store, which the recompute at
	// the end of Apply publishes: it counts as settled for readiness.
	stored := map[string]bool{}
	for _, r := range sources {
		c, err := e.store.Cursor(ctx, r.Source.Name())
		if err != nil {
			return err
		}
		stored[r.Source.Name()] = c != ""
	}
	gen := e.syncGen.Load()

	e.mu.Lock()
	if e.baseCtx == nil {
		e.baseCtx, e.cancel = context.WithCancel(ctx)
	}
	runners := make(map[string]*runner, len(sources))
	for _, r := range sources {
		if old := e.runners[r.Source.Name()]; old != nil && old.src == r.Source && old.interval == r.Interval {
			runners[r.Source.Name()] = old
		}
	}
	for name, old := range e.runners {
		if runners[name] != old {
			old.cancel()
		}
	}
	e.sources = map[string]source.Source{}
	statuses := map[string]*source.Status{}
	for _, r := range sources {
		name := r.Source.Name()
		e.sources[name] = r.Source
		if old, ok := e.statuses[name]; ok && old.Type == r.Source.Type() {
			statuses[name] = old
		} else {
			statuses[name] = &source.Status{Name: name, Type: r.Source.Type()}
		}
		if e.running[name] == nil {
			e.running[name] = &atomic.Bool{}
		}
	}
	e.statuses = statuses
	settled := map[string]uint64{}
	for _, r := range sources {
		name := r.Source.Name()
		if g, ok := e.settled[name]; ok && statuses[name].Attempted {
			settled[name] = g
		} else if stored[name] {
			settled[name] = gen
		}
	}
	e.settled = settled
	for _, r := range sources {
		name := r.Source.Name()
		if runners[name] != nil {
			continue // unchanged: keeps running on its schedule
		}
		rctx, cancel := context.WithCancel(e.baseCtx)
		runners[name] = &runner{src: r.Source, interval: r.Interval, cancel: cancel}
		e.wg.Add(1)
		go e.runSource(rctx, r, e.running[name])
	}
	e.runners = runners
	e.mu.Unlock()

	e.loopOnce.Do(func() {
		e.wg.Add(1)
		go e.recomputeLoop(ctx)
	})
	return e.Recompute(ctx)
}

// Stop ends every runner and waits for them.
func (e *Engine) Stop() {
	e.mu.Lock()
	if e.cancel != nil {
		e.cancel()
	}
	e.mu.Unlock()
}

// Wait blocks until all goroutines have ended (after Stop and the cancellation of the
// context given to Apply).
func (e *Engine) Wait() { e.wg.Wait() }

// Snapshot returns the latest analytics result, nil before the first.
func (e *Engine) Snapshot() *incident.Snapshot { return e.snapshot.Load() }

// Ready reports whether every configured source has finished its first sync attempt
// (or had stored history when it was applied) and a snapshot computed after that has
// been published. A source that fails its first attempt counts as settled: readiness
// waits for data, not for a vendor to answer.
func (e *Engine) Ready() bool {
	if e.snapshot.Load() == nil {
		return false
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	need := uint64(0)
	for name := range e.sources {
		g, ok := e.settled[name]
		if !ok {
			return false
		}
		need = max(need, g)
	}
	return e.publishedGen.Load() >= need
}

// SourceStatuses returns a copy of every configured source's status, sorted by name,
// with the live request figures of API sources.
func (e *Engine) SourceStatuses() []source.Status {
	e.mu.Lock()
	defer e.mu.Unlock()
	out := make([]source.Status, 0, len(e.statuses))
	for name, st := range e.statuses {
		s := *st
		if api, ok := e.sources[name].(source.APISource); ok {
			stats := api.APIStats()
			s.API = &stats
		}
		if push, ok := e.sources[name].(source.PushSource); ok {
			s.Webhook = push.WebhookRequests()
			s.Folded = push.FoldedLabelValues()
		}
		out = append(out, s)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// Recompute loads the history the windows need, runs the analytics and publishes the
// result.
func (e *Engine) Recompute(ctx context.Context) error {
	e.recomputeMu.Lock()
	defer e.recomputeMu.Unlock()
	settings := e.settings.Load()
	if settings == nil {
		return errors.New("engine: recompute before Apply")
	}
	now := e.opts.Now()
	// The previous window of the longest window, and the recurrence look-back before it.
	since := now.Add(-settings.HistoryNeeded())
	gen := e.syncGen.Load() // every attempt counted here has written before this load
	h, err := e.loadHistory(ctx, since)
	if err != nil {
		return err
	}
	snap := incident.Compute(h, *settings, now)
	snap.Trends = e.trends.compute(h, settings, now, snap)
	if e.opts.OnPublish != nil {
		e.opts.OnPublish(snap)
	}
	e.snapshot.Store(snap)
	for {
		old := e.publishedGen.Load()
		if gen <= old || e.publishedGen.CompareAndSwap(old, gen) {
			break
		}
	}
	return nil
}

func maxWindow(ws []incident.Window) time.Duration {
	var m time.Duration
	for _, w := range ws {
		m = max(m, w.D)
	}
	return m
}

// RequestRecompute asks for a recompute without blocking; requests coalesce. Push
// sources (webhooks) call it after writing.
func (e *Engine) RequestRecompute() {
	select {
	case e.kick <- struct{}{}:
	default:
	}
}

func (e *Engine) recomputeLoop(ctx context.Context) {
	defer e.wg.Done()
	t := time.NewTicker(e.opts.RecomputeEvery)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		case <-e.kick:
		}
		start := time.Now()
		if err := e.Recompute(ctx); err != nil {
			if ctx.Err() != nil {
				return
			}
			e.logger.Error("analytics recompute failed; keeping the previous snapshot", "err", err)
			continue
		}
		e.logger.Debug("analytics recomputed", "duration", time.Since(start))
	}
}

func (e *Engine) runSource(ctx context.Context, r Runnable, running *atomic.Bool) {
	defer e.wg.Done()
	interval := r.Interval
	delay := time.Duration(rand.Int64N(int64(min(e.opts.MaxStartJitter, interval)) + 1))
	failures := 0
	timer := time.NewTimer(delay)
	defer timer.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-timer.C:
		}
		if !running.CompareAndSwap(false, true) {
			// The previous run (of an earlier configuration) is still going: skip.
			e.logger.Debug("previous sync still running; skipping", "source", r.Source.Name())
			timer.Reset(interval)
			continue
		}
		err := e.syncOnce(ctx, r.Source)
		running.Store(false)
		if ctx.Err() != nil {
			return
		}
		first := e.settle(r.Source.Name())
		if err != nil {
			failures++
			if first {
				e.RequestRecompute() // readiness waits for a snapshot after the attempt
			}
			timer.Reset(e.backoff(interval, failures))
			continue
		}
		failures = 0
		e.RequestRecompute()
		timer.Reset(interval)
	}
}

// settle counts a finished sync attempt and marks the source settled when this was its
// first; it reports whether it was.
func (e *Engine) settle(name string) bool {
	g := e.syncGen.Add(1)
	e.mu.Lock()
	defer e.mu.Unlock()
	if _, configured := e.sources[name]; !configured {
		return false
	}
	if _, done := e.settled[name]; done {
		return false
	}
	e.settled[name] = g
	return true
}

// backoff doubles the wait after each consecutive failure, capped, with ±10% jitter.
func (e *Engine) backoff(interval time.Duration, failures int) time.Duration {
	d := interval
	for i := 0; i < failures && d < e.opts.MaxBackoff; i++ {
		d *= 2
	}
	d = min(d, max(e.opts.MaxBackoff, interval))
	jitter := time.Duration(rand.Int64N(int64(d)/5+1)) - d/10
	return d + jitter
}

func (e *Engine) syncOnce(ctx context.Context, src source.Source) error {
	name := src.Name()
	start := time.Now()
	cursor, err := e.store.Cursor(ctx, name)
	if err == nil {
		err = src.Sync(ctx, cursor, e.store)
	}
	if err == nil {
		// What a source can supply may depend on what it just read (a file with shifts).
		// A source that has not read its data in this process (an unchanged file after a
		// restart) does not know: what the store recorded stays.
		caps, known := src.Capabilities(), true
		if dc, ok := src.(source.DataCapabilities); ok {
			caps, known = dc.KnownCapabilities()
		}
		if known {
			err = e.store.RegisterSource(ctx, name, src.Type(), caps)
		}
	}
	took := time.Since(start)
	if ctx.Err() != nil {
		return ctx.Err()
	}
	e.mu.Lock()
	st, ok := e.statuses[name]
	if ok {
		st.Attempted = true
		st.Duration = took
		st.Up = err == nil
		if err == nil {
			st.LastSuccess = e.opts.Now()
			st.LastError = ""
		} else {
			st.LastError = err.Error()
		}
	}
	e.mu.Unlock()
	if err != nil {
		e.logger.Error("source sync failed; stored data is kept and served", "source", name, "type", src.Type(), "err", err)
		return err
	}
	e.logger.Debug("source synced", "source", name, "duration", took)
	return nil
}

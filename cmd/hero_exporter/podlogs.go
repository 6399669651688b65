package main

import (
	"context"
	"log/slog"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/hero-exporter/hero_exporter/internal/config"
	"github.com/hero-exporter/hero_exporter/internal/logscan"
)

// podLogs serves a logs[] entry with label_from_path: kubernetes. It looks for files
// matching the entry's paths, derives <namespace>/<container> from each pod log path and
// runs one follower per derived label over the files of every pod of that namespace and
// container: the `log` label never carries a pod name or uid. New pods and containers are
// picked up at each discovery; a label stays (with its counts) until the configuration
// changes.
type podLogs struct {
	cfg    config.Log
	every  time.Duration
	logger *slog.Logger
	start  func(ctx context.Context, name, glob string) (*logscan.Follower, error)

	mu        sync.Mutex
	followers map[string]*logscan.Follower
	skipped   map[string]bool // paths that are no pod log path, logged once
	wg        sync.WaitGroup
}

// Run discovers labels until ctx is done, then waits for the followers to stop.
func (p *podLogs) Run(ctx context.Context) {
	t := time.NewTicker(p.every)
	defer t.Stop()
	for {
		p.discover(ctx)
		select {
		case <-ctx.Done():
			p.wg.Wait()
			return
		case <-t.C:
		}
	}
}

func (p *podLogs) discover(ctx context.Context) {
	for _, g := range p.cfg.Paths {
		matches, err := filepath.Glob(g)
		if err != nil {
			p.logger.Warn("bad glob", "log", p.cfg.Name, "glob", g, "err", err)
			continue
		}
		for _, path := range matches {
			if excluded(path, p.cfg.Exclude) {
				continue
			}
			label, ok := logscan.KubernetesLabel(path)
			glob, _ := logscan.KubernetesGlob(path, filepath.Base(g))
			if !ok {
				p.mu.Lock()
				if p.skipped[path] {
					p.mu.Unlock()
					continue
				}
				p.skipped[path] = true
				p.mu.Unlock()
				p.logger.Warn("not a Kubernetes pod log path (<namespace>_<pod>_<uid>/<container>/<file>); not followed",
					"log", p.cfg.Name, "path", path)
				continue
			}
			p.mu.Lock()
			_, running := p.followers[label]
			p.mu.Unlock()
			if running || ctx.Err() != nil {
				continue
			}
			fl, err := p.start(ctx, label, glob)
			if err != nil {
				p.logger.Error("cannot follow pod logs", "log", label, "err", err)
				continue
			}
			p.mu.Lock()
			p.followers[label] = fl
			p.mu.Unlock()
			p.logger.Info("following pod logs", "log", label, "glob", glob)
			p.wg.Go(func() { _ = fl.Run(ctx) })
		}
	}
}

// Stats returns the figures of every derived label, sorted by label.
func (p *podLogs) Stats() []logscan.Stats {
	p.mu.Lock()
	defer p.mu.Unlock()
	out := make([]logscan.Stats, 0, len(p.followers))
	for _, fl := range p.followers {
		out = append(out, fl.Counter().Stats())
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Log < out[j].Log })
	return out
}

// excluded applies logs[].exclude as the follower does: a glob without '/' matches the
// base name, one with '/' the full path.
func excluded(path string, globs []string) bool {
	for _, g := range globs {
		target := path
		if !strings.Contains(g, "/") {
			target = filepath.Base(path)
		}
		if ok, _ := filepath.Match(g, target); ok {
			return true
		}
	}
	return false
}

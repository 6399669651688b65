package source

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"sort"
	"sync"
	"time"

	"github.com/hero-exporter/hero_exporter/internal/config"
)

// Clock is what sources read time from; API clients also wait on it.
type Clock interface {
	Now() time.Time
	// Sleep waits d or until ctx is done, whichever comes first.
	Sleep(ctx context.Context, d time.Duration) error
}

// Env is what a source's constructor gets besides its own configuration entry.
type Env struct {
	// Config is the whole configuration (hours.default_timezone, …).
	Config *config.Config
	Clock  Clock
	// Logger is the exporter's; sources add their name and type.
	Logger *slog.Logger
	// Store is where push sources write what they receive (pull sources write to the
	// sink their Sync is handed); Recompute asks for the analytics to be recomputed
	// after such a write.
	Store     Sink
	Recompute func()
}

// Push is implemented by sources that receive their data over HTTP on the exporter's
// own listener (webhook receivers): the runtime serves Handler at Path.
type Push interface {
	Source
	Path() string
	Handler() http.Handler
}

// Routes is implemented by push sources that serve more than one path (a change
// endpoint and its GitHub webhook, say): every path with its handler, Path included.
type Routes interface {
	Push
	Routes() map[string]http.Handler
}

// PushRoutes are the HTTP paths src serves with their handlers: none for a pull
// source, Path for a Push, every route of a Routes.
func PushRoutes(src Source) map[string]http.Handler {
	switch p := src.(type) {
	case Routes:
		return p.Routes()
	case Push:
		return map[string]http.Handler{p.Path(): p.Handler()}
	}
	return nil
}

// Kind is one source type: what the configuration knows of it, and its constructor.
type Kind struct {
	config.SourceType
	// New builds a source from a validated configuration entry.
	New func(sc config.Source, env Env) (Source, error)
}

var (
	kindsMu sync.RWMutex
	kinds   = map[string]Kind{}
)

// Register makes a source type known to the configuration and the runtime. Each
// source package calls it from init(); a source is then one package plus one import
// line in internal/source/all. It panics on a duplicate or incomplete registration.
func Register(k Kind) {
	if k.New == nil {
		panic(fmt.Sprintf("source: type %q registered without a constructor", k.Name))
	}
	config.RegisterSourceType(k.SourceType)
	kindsMu.Lock()
	defer kindsMu.Unlock()
	kinds[k.Name] = k
}

// Types are the registered source types, sorted.
func Types() []string {
	kindsMu.RLock()
	defer kindsMu.RUnlock()
	out := make([]string, 0, len(kinds))
	for n := range kinds {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

// New builds the source of one configuration entry with its registered constructor.
func New(sc config.Source, env Env) (Source, error) {
	kindsMu.RLock()
	k, ok := kinds[sc.Type]
	kindsMu.RUnlock()
	if !ok {
		return nil, fmt.Errorf("source type %q is not implemented in this version", sc.Type)
	}
	if env.Logger == nil {
		env.Logger = slog.New(slog.DiscardHandler)
	}
	return k.New(sc, env)
}

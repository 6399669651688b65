package webhook

import (
	"context"
	"log/slog"
	"sort"
	"sync"
	"unicode/utf8"
)

// Other is the value that label values beyond a push source's bound fold into.
const Other = "other"

// Bounds of the label values a push source may create.
const (
	// DefaultMaxValues is how many distinct values of each label (team, service) a push
	// source admits unless max_label_values says otherwise.
	DefaultMaxValues = 100
	// MaxMaxValues bounds max_label_values.
	MaxMaxValues = 10000
	// MaxValueBytes bounds one label value; a longer one folds into Other.
	MaxValueBytes = 128
	// maxLoggedValues is how many folded values are logged one by one per label.
	maxLoggedValues = 20
)

// LabelLimits bound the label values one push source may create.
type LabelLimits struct {
	// MaxValues is the number of distinct values admitted per label (default
	// DefaultMaxValues); the first ones to arrive are admitted, later new ones fold.
	MaxValues int
	// Allowed, per label, lists the only values admitted; when a label has a list,
	// MaxValues does not apply to it.
	Allowed map[string][]string
}

// LabelValueStore reports the label values a push source stored before (the store
// implements it), so that the bound holds across restarts.
type LabelValueStore interface {
	PushedLabelValues(ctx context.Context, source string) (map[string][]string, error)
}

// LabelGuard admits the label values a push source receives from the network (every
// one becomes a metric label value): at most MaxValues distinct values per label, each at
// most MaxValueBytes long and valid UTF-8, or only the allow-listed ones. Anything else
// folds into Other, counted per label (hero_webhook_label_values_folded_total) and
// logged (the first values one by one, then a note that logging stops). It is safe for
// concurrent use.
type LabelGuard struct {
	limits LabelLimits
	logger *slog.Logger

	mu       sync.Mutex
	admitted map[string]map[string]bool
	allowed  map[string]map[string]bool
	folded   map[string]float64
	logged   map[string]int
}

// NewLabelGuard returns a guard with limits (zero values take the defaults).
func NewLabelGuard(limits LabelLimits, logger *slog.Logger) *LabelGuard {
	if limits.MaxValues <= 0 {
		limits.MaxValues = DefaultMaxValues
	}
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	g := &LabelGuard{limits: limits, logger: logger, admitted: map[string]map[string]bool{},
		allowed: map[string]map[string]bool{}, folded: map[string]float64{}, logged: map[string]int{}}
	for label, vs := range limits.Allowed {
		g.allowed[label] = map[string]bool{}
		for _, v := range vs {
			g.allowed[label][v] = true
		}
	}
	return g
}

// Seed admits the values stored before (at start), up to the bound; Other is not a value.
func (g *LabelGuard) Seed(values map[string][]string) {
	g.mu.Lock()
	defer g.mu.Unlock()
	labels := make([]string, 0, len(values))
	for l := range values {
		labels = append(labels, l)
	}
	sort.Strings(labels)
	for _, label := range labels {
		vs := append([]string(nil), values[label]...)
		sort.Strings(vs)
		for _, v := range vs {
			if v != Other && v != "" && g.fits(label, v) && !g.full(label) {
				g.admit(label, v)
			}
		}
	}
}

// SeedFrom seeds the guard from what store holds for source; a failure is logged and
// the guard starts empty (the bound then holds from now on).
func (g *LabelGuard) SeedFrom(ctx context.Context, store any, source string) {
	vs, ok := store.(LabelValueStore)
	if !ok {
		return
	}
	values, err := vs.PushedLabelValues(ctx, source)
	if err != nil {
		g.logger.Warn("cannot read the label values stored before; the bound on label values starts empty", "err", err)
		return
	}
	g.Seed(values)
}

// Admit returns value when it may become a label value of label, else Other. The
// empty value (no label) is kept: it means unassigned, not a new value.
func (g *LabelGuard) Admit(label, value string) string {
	if value == "" {
		return value
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.admitted[label][value] {
		return value
	}
	reason := ""
	switch {
	case !g.fits(label, value):
		reason = "not a valid label value: longer than 128 bytes or not UTF-8"
		if _, ok := g.allowed[label]; ok && len(value) <= MaxValueBytes && utf8.ValidString(value) {
			reason = "not in the allow-list"
		}
	case g.full(label):
		reason = "the source already has its maximum of distinct values (max_label_values)"
	default:
		g.admit(label, value)
		return value
	}
	g.folded[label]++
	if n := g.logged[label]; n < maxLoggedValues {
		g.logged[label] = n + 1
		shown := value
		if len(shown) > 64 {
			shown = shown[:64] + "…"
		}
		g.logger.Warn("pushed label value folded into \""+Other+"\"", "label", label, "value", shown, "bytes", len(value), "reason", reason)
		if n+1 == maxLoggedValues {
			g.logger.Warn("further folded label values are counted (hero_webhook_label_values_folded_total) but not logged", "label", label)
		}
	}
	return Other
}

// fits reports whether value may ever be admitted for label.
func (g *LabelGuard) fits(label, value string) bool {
	if len(value) > MaxValueBytes || !utf8.ValidString(value) {
		return false
	}
	if allow, ok := g.allowed[label]; ok {
		return allow[value]
	}
	return true
}

// full reports whether label has no room for a new value (allow-listed labels never
// fill up: their list is their bound).
func (g *LabelGuard) full(label string) bool {
	if _, ok := g.allowed[label]; ok {
		return false
	}
	return len(g.admitted[label]) >= g.limits.MaxValues
}

func (g *LabelGuard) admit(label, value string) {
	if g.admitted[label] == nil {
		g.admitted[label] = map[string]bool{}
	}
	g.admitted[label][value] = true
}

// Folded returns the values folded so far, by label.
func (g *LabelGuard) Folded() map[string]float64 {
	g.mu.Lock()
	defer g.mu.Unlock()
	out := make(map[string]float64, len(g.folded))
	for k, v := range g.folded {
		out[k] = v
	}
	return out
}

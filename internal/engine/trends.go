package engine

import (
	"sync"
	"time"

	"github.com/hero-exporter/hero_exporter/internal/incident"
)

// previousEvery is how long the replays of the previous windows are reused. They
// describe periods that ended a window ago, which new data rarely touches, and each
// costs a full analytics run; refreshed every five minutes, a 7-day previous window
// is off by at most 0.05 % of its length.
const previousEvery = 5 * time.Minute

// trendCache keeps the previous-window replays between recomputes.
type trendCache struct {
	mu       sync.Mutex
	at       time.Time
	settings *incident.Settings
	records  int // incidents and pages in the history the replays were made from
	replays  []*incident.Snapshot
}

// size is what decides whether the history changed much since the replays: its
// incidents and pages.
func size(h *incident.History) int { return len(h.Incidents) + len(h.Pages) }

// compute returns the trends of snap, replaying the previous windows when the cached
// replays are older than previousEvery (on the analytics clock), the settings changed,
// or the history grew or shrank by more than 1 % since (a back-fill, a new source).
func (c *trendCache) compute(h *incident.History, s *incident.Settings, now time.Time, snap *incident.Snapshot) *incident.Trends {
	c.mu.Lock()
	defer c.mu.Unlock()
	n := size(h)
	moved := n*100 > c.records*101 || n*101 < c.records*100
	if c.settings != s || c.replays == nil || moved || now.Sub(c.at) >= previousEvery || now.Before(c.at) {
		c.replays = incident.ReplayPrevious(h, *s, now)
		c.at, c.settings, c.records = now, s, n
	}
	return incident.ComputeTrends(h, *s, now, snap, c.replays)
}

package logscan

import "github.com/hero-exporter/hero_exporter/internal/store"

// The exporter's store persists follower state.
var _ StateStore = (*store.Store)(nil)

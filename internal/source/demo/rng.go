package demo

import (
	"math"
	"time"
)

// Stream tags keep the random streams of different purposes apart, so that e.g. the
// recurring incident of a 12-hour block does not shift the routine incidents of an hour.
const (
	tagSlot uint64 = iota + 1
	tagRecurring
	tagInvestigation
	tagRotation
)

// rng is a splitmix64 generator. It is hand-written rather than taken from math/rand
// because the demo's records must be identical across Go versions: a newer binary
// restarted on the same storage must upsert the very same incidents, not new ones.
type rng struct{ state uint64 }

// newRNG derives an independent stream from its parts (seed, tag, slot, …).
func newRNG(parts ...uint64) *rng {
	h := uint64(0x6a09e667f3bcc908)
	for _, p := range parts {
		h = mix64(h ^ p)
	}
	return &rng{state: h}
}

func mix64(z uint64) uint64 {
	z += 0x9e3779b97f4a7c15
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9
	z = (z ^ (z >> 27)) * 0x94d049bb133111eb
	return z ^ (z >> 31)
}

func (r *rng) next() uint64 {
	r.state += 0x9e3779b97f4a7c15
	return mix64(r.state - 0x9e3779b97f4a7c15)
}

// float is uniform in [0, 1).
func (r *rng) float() float64 { return float64(r.next()>>11) / (1 << 53) }

// intn is uniform in [0, n); the modulo bias is irrelevant for a simulation.
func (r *rng) intn(n int) int { return int(r.next() % uint64(n)) }

// between is uniform in [lo, hi] in whole seconds: whole seconds survive any store's
// time encoding unchanged, which keeps re-emitted records byte-identical.
func (r *rng) between(lo, hi time.Duration) time.Duration {
	l, h := int64(lo/time.Second), int64(hi/time.Second)
	if h <= l {
		return time.Duration(l) * time.Second
	}
	return time.Duration(l+int64(r.next()%uint64(h-l+1))) * time.Second
}

// expo is exponential with the given mean, in whole seconds, capped at max.
func (r *rng) expo(mean, max time.Duration) time.Duration {
	// -ln(1-u) via the inverse CDF; 1-u is in (0, 1].
	d := time.Duration(-math.Log(1-r.float()) * float64(mean))
	if d > max {
		d = max
	}
	return d.Truncate(time.Second)
}

func floorDiv(a, b int64) int64 {
	q := a / b
	if (a%b != 0) && ((a < 0) != (b < 0)) {
		q--
	}
	return q
}

package logscan

import (
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"runtime"
	"testing"
)

func TestCounterTopK(t *testing.T) {
	c := NewCounter("app", 3, 100)
	ev := func(fp string) *Event { return &Event{Fingerprint: fp, Type: "T" + fp} }
	for range 100 {
		c.AddEvent(ev("aaaaaaaaaaaaaaaa"))
	}
	for range 50 {
		c.AddEvent(ev("bbbbbbbbbbbbbbbb"))
	}
	for i := range 30 { // noise: 30 distinct fingerprints once each
		c.AddEvent(ev(fmt.Sprintf("%016x", i)))
	}
	for range 20 {
		c.AddEvent(ev("bbbbbbbbbbbbbbbb"))
	}
	st := c.Stats()
	if st.Exceptions != 200 {
		t.Fatalf("exceptions %d", st.Exceptions)
	}
	var sum uint64
	for _, f := range st.Fingerprints {
		sum += f.Count
	}
	if sum+st.Other != st.Exceptions {
		t.Errorf("tracked %d + other %d != %d", sum, st.Other, st.Exceptions)
	}
	if st.FingerprintsTracked != 3 || st.Fingerprints[0].Fingerprint != "aaaaaaaaaaaaaaaa" || st.Fingerprints[0].Count != 100 ||
		st.Fingerprints[1].Fingerprint != "bbbbbbbbbbbbbbbb" || st.Fingerprints[1].Count != 70 {
		t.Errorf("top: %+v", st.Fingerprints)
	}
	if st.NewFingerprints != 32 {
		t.Errorf("new fingerprints %d, want 32", st.NewFingerprints)
	}
	if got := len(c.TakeNewSeen()); got != 32 {
		t.Errorf("TakeNewSeen: %d", got)
	}
	// history loaded from a store is not new
	c2 := NewCounter("app", 3, 100)
	c2.LoadSeen([]string{"aaaaaaaaaaaaaaaa"})
	c2.AddEvent(ev("aaaaaaaaaaaaaaaa"))
	if c2.Stats().NewFingerprints != 0 {
		t.Error("loaded fingerprint counted as new")
	}
}

// TestCounterMillionDistinct: memory stays bounded and totals exact with 1,000,000
// distinct fingerprints, and other counters stay monotonic.
func TestCounterMillionDistinct(t *testing.T) {
	t.Parallel()
	n := 1_000_000
	if testing.Short() {
		n = 100_000
	}
	c := NewCounter("app", 100, 10000)
	hot := &Event{Fingerprint: "ffffffffffffffff", Type: "Hot"}
	var before runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	var lastOther uint64
	ev := &Event{Type: "Cold"}
	var raw [8]byte
	for i := range n {
		binary.BigEndian.PutUint64(raw[:], uint64(i))
		ev.Fingerprint = hex.EncodeToString(raw[:])
		c.AddEvent(ev)
		if i%10 == 0 {
			c.AddEvent(hot)
		}
		if i%100000 == 0 {
			st := c.Stats()
			if st.Other < lastOther {
				t.Fatalf("other went down: %d < %d", st.Other, lastOther)
			}
			lastOther = st.Other
		}
	}
	runtime.GC()
	var after runtime.MemStats
	runtime.ReadMemStats(&after)
	st := c.Stats()
	total := uint64(n + (n+9)/10)
	if st.Exceptions != total {
		t.Fatalf("exceptions %d, want %d", st.Exceptions, total)
	}
	var sum uint64
	for _, f := range st.Fingerprints {
		sum += f.Count
	}
	if sum+st.Other != total || st.FingerprintsTracked != 100 || len(st.Fingerprints) != 100 {
		t.Errorf("sum %d other %d tracked %d", sum, st.Other, st.FingerprintsTracked)
	}
	if st.Fingerprints[0].Fingerprint != "ffffffffffffffff" {
		t.Errorf("heavy hitter lost: %+v", st.Fingerprints[0])
	}
	if st.NewFingerprints != uint64(n+1) {
		t.Errorf("new %d", st.NewFingerprints)
	}
	if grow := int64(after.HeapAlloc) - int64(before.HeapAlloc); grow > 16<<20 {
		t.Errorf("heap grew by %d bytes", grow)
	}
}

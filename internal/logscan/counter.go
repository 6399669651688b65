package logscan

import (
	"slices"
	"strings"
	"sync"
	"time"
)

// Defaults of a Counter.
const (
	DefaultTopK      = 100
	DefaultSeenLimit = 10000
)

// FingerprintStat is one tracked fingerprint.
type FingerprintStat struct {
	Fingerprint string
	Type        string
	Location    string
	Message     string
	Language    string
	// Count is the number of events counted for this fingerprint while it was tracked. It
	// only grows while tracked; events of fingerprints not tracked count in Stats.Other.
	Count uint64
}

// Stats is a copy of a Counter's figures. Exceptions == Other + sum of Fingerprints[].Count.
type Stats struct {
	Log             string
	Lines           uint64
	Bytes           uint64
	Exceptions      uint64
	Other           uint64
	NewFingerprints uint64
	Errors          uint64
	// ErrorsByReason splits Errors by reason (every ErrorReasons key is present).
	ErrorsByReason      map[string]uint64
	FingerprintsTracked int
	FilesFollowed       int
	Fingerprints        []FingerprintStat // by Count descending, then fingerprint
	// Windows are the exception figures per configured window (SetWindows), from the
	// hourly counts.
	Windows []WindowStat
}

// Counter accumulates the figures of one log: line and byte totals, exception events with
// the top-k fingerprints (Space-Saving, bounded memory), new fingerprints and errors. It
// is safe for concurrent use; Stats is cheap (O(top_k)).
type Counter struct {
	mu         sync.Mutex
	log        string
	lines      uint64
	bytes      uint64
	exceptions uint64
	newFPs     uint64
	errors     uint64
	errReasons map[string]uint64
	files      int
	top        spaceSaving
	seen       seenSet
	// newSeen are fingerprints first seen since the last TakeNewSeen (to persist).
	newSeen []string
	// Exceptions over time (hourly.go): events per hour and fingerprint, the hours saved
	// in rows of their own, the windows of the trend figures and how far back to keep.
	hourly     map[int64]hourCounts
	savedHours map[int64]bool
	windows    []Window
	horizon    time.Duration
	now        func() time.Time
	closed     closedSums // per-window sums of the closed hours, rebuilt once an hour
}

// NewCounter returns a counter for log keeping topK fingerprints and remembering up to
// seenLimit fingerprints for "new fingerprint" detection. Zero values take the defaults.
func NewCounter(log string, topK, seenLimit int) *Counter {
	if topK <= 0 {
		topK = DefaultTopK
	}
	if seenLimit <= 0 {
		seenLimit = DefaultSeenLimit
	}
	return &Counter{log: log, top: newSpaceSaving(topK), seen: newSeenSet(seenLimit)}
}

// AddEvent counts one exception event, in the current hour.
func (c *Counter) AddEvent(ev *Event) {
	c.AddEventAt(ev, c.clock())
}

// clock is the counter's time (SetClock; time.Now by default).
func (c *Counter) clock() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.clockLocked()
}

// SetClock sets the clock of the hourly counts (tests, --debug.now).
func (c *Counter) SetClock(now func() time.Time) {
	c.mu.Lock()
	c.now = now
	c.mu.Unlock()
}

// AddEventAt counts one exception event counted at instant at.
func (c *Counter) AddEventAt(ev *Event, at time.Time) {
	c.mu.Lock()
	c.addHour(ev.Fingerprint, at)
	c.exceptions++
	c.top.add(ev)
	if c.seen.add(ev.Fingerprint) {
		c.newFPs++
		if len(c.newSeen) < c.seen.limit {
			c.newSeen = append(c.newSeen, ev.Fingerprint)
		}
	}
	c.mu.Unlock()
}

// AddLines adds read lines and bytes.
func (c *Counter) AddLines(lines, bytes uint64) {
	c.mu.Lock()
	c.lines += lines
	c.bytes += bytes
	c.mu.Unlock()
}

// Reasons of hero_log_errors_total: every read that had to give up has one.
const (
	ReasonOpen        = "open"          // a file matched by the globs could not be opened or stat'ed
	ReasonRead        = "read"          // a read failed
	ReasonNotRegular  = "not_regular"   // a FIFO, device, socket or /proc file matched: refused
	ReasonLineTooLong = "line_too_long" // a line over the cap: its head was kept, the rest skipped
	ReasonGone        = "gone"          // a file was gone before it was read to its end
	ReasonTruncated   = "truncated"     // a file shrank and the unread part could not be found in a copy
	ReasonDecompress  = "decompress"    // a compressed rotated copy could not be read
	ReasonStore       = "store"         // positions could not be loaded or saved
	ReasonGlob        = "glob"          // a glob is malformed
	ReasonWatch       = "watch"         // file system notifications failed (polling continues)
)

// ErrorReasons lists every reason, so that each series exists from the start.
var ErrorReasons = []string{ReasonOpen, ReasonRead, ReasonNotRegular, ReasonLineTooLong, ReasonGone, ReasonTruncated,
	ReasonDecompress, ReasonStore, ReasonGlob, ReasonWatch}

// AddErrors adds read/open/rotation errors of a reason (one of ErrorReasons).
func (c *Counter) AddErrors(reason string, n uint64) {
	c.mu.Lock()
	c.errors += n
	if c.errReasons == nil {
		c.errReasons = make(map[string]uint64, len(ErrorReasons))
	}
	c.errReasons[reason] += n
	c.mu.Unlock()
}

// SetFiles sets the number of files currently followed.
func (c *Counter) SetFiles(n int) {
	c.mu.Lock()
	c.files = n
	c.mu.Unlock()
}

// LoadSeen marks fingerprints as already seen (history from the store) without counting
// them as new.
func (c *Counter) LoadSeen(fps []string) {
	c.mu.Lock()
	for _, fp := range fps {
		c.seen.add(fp)
	}
	c.mu.Unlock()
}

// TakeNewSeen returns and forgets the fingerprints first seen since the last call.
func (c *Counter) TakeNewSeen() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := c.newSeen
	c.newSeen = nil
	return out
}

// Stats returns a copy of the figures.
func (c *Counter) Stats() Stats {
	c.mu.Lock()
	defer c.mu.Unlock()
	s := Stats{
		Log:                 c.log,
		Lines:               c.lines,
		Bytes:               c.bytes,
		Exceptions:          c.exceptions,
		NewFingerprints:     c.newFPs,
		Errors:              c.errors,
		ErrorsByReason:      make(map[string]uint64, len(ErrorReasons)),
		FilesFollowed:       c.files,
		FingerprintsTracked: len(c.top.heap),
		Fingerprints:        make([]FingerprintStat, 0, len(c.top.heap)),
	}
	for _, r := range ErrorReasons {
		s.ErrorsByReason[r] = c.errReasons[r]
	}
	var tracked uint64
	for _, e := range c.top.heap {
		n := e.count - e.err
		tracked += n
		s.Fingerprints = append(s.Fingerprints, FingerprintStat{
			Fingerprint: e.fp, Type: e.typ, Location: e.location, Message: e.message, Language: e.lang, Count: n,
		})
	}
	s.Other = c.exceptions - tracked
	slices.SortFunc(s.Fingerprints, func(a, b FingerprintStat) int {
		if a.Count != b.Count {
			if a.Count > b.Count {
				return -1
			}
			return 1
		}
		return strings.Compare(a.Fingerprint, b.Fingerprint)
	})
	s.Windows = c.windowStats(c.clockLocked(), s.Fingerprints)
	return s
}

// clockLocked is clock with c.mu held.
func (c *Counter) clockLocked() time.Time {
	if c.now != nil {
		return c.now()
	}
	return time.Now()
}

// ---- Space-Saving ----

type ssEntry struct {
	fp       string
	count    uint64 // Space-Saving estimate (an upper bound)
	err      uint64 // the count inherited on replacement: count-err were really seen
	typ      string
	location string
	message  string
	lang     string
	idx      int
}

// spaceSaving is the Space-Saving heavy-hitter summary (Metwally et al.): k counters, a
// min-heap on count and a map; an unseen item replaces the minimum.
type spaceSaving struct {
	k    int
	m    map[string]*ssEntry
	heap []*ssEntry
}

func newSpaceSaving(k int) spaceSaving {
	return spaceSaving{k: k, m: make(map[string]*ssEntry, k)}
}

func (s *spaceSaving) add(ev *Event) {
	if e, ok := s.m[ev.Fingerprint]; ok {
		e.count++
		s.down(e.idx)
		return
	}
	if len(s.heap) < s.k {
		e := &ssEntry{fp: ev.Fingerprint, count: 1, idx: len(s.heap)}
		e.setInfo(ev)
		s.heap = append(s.heap, e)
		s.m[e.fp] = e
		s.up(e.idx)
		return
	}
	e := s.heap[0]
	delete(s.m, e.fp)
	e.fp = ev.Fingerprint
	e.err = e.count
	e.count++
	e.setInfo(ev)
	s.m[e.fp] = e
	s.down(0)
}

func (e *ssEntry) setInfo(ev *Event) {
	e.typ, e.location, e.message, e.lang = ev.Type, ev.Location, ev.Message, ev.Language
}

func (s *spaceSaving) less(i, j int) bool { return s.heap[i].count < s.heap[j].count }

func (s *spaceSaving) swap(i, j int) {
	s.heap[i], s.heap[j] = s.heap[j], s.heap[i]
	s.heap[i].idx = i
	s.heap[j].idx = j
}

func (s *spaceSaving) up(i int) {
	for i > 0 {
		p := (i - 1) / 2
		if !s.less(i, p) {
			return
		}
		s.swap(i, p)
		i = p
	}
}

func (s *spaceSaving) down(i int) {
	n := len(s.heap)
	for {
		l := 2*i + 1
		if l >= n {
			return
		}
		m := l
		if r := l + 1; r < n && s.less(r, l) {
			m = r
		}
		if !s.less(m, i) {
			return
		}
		s.swap(i, m)
		i = m
	}
}

// ---- seen fingerprints ----

// seenSet remembers up to limit fingerprints. When full it forgets one not seen again
// since it was last considered (CLOCK / second chance), so recurring fingerprints stay.
type seenSet struct {
	limit int
	m     map[string]int // fingerprint -> slot
	slots []seenSlot
	hand  int
}

type seenSlot struct {
	fp  string
	ref bool
}

func newSeenSet(limit int) seenSet {
	return seenSet{limit: limit, m: make(map[string]int)}
}

// add reports whether fp was not in the set.
func (s *seenSet) add(fp string) bool {
	if i, ok := s.m[fp]; ok {
		s.slots[i].ref = true
		return false
	}
	if len(s.slots) < s.limit {
		s.m[fp] = len(s.slots)
		s.slots = append(s.slots, seenSlot{fp: fp})
		return true
	}
	for s.slots[s.hand].ref {
		s.slots[s.hand].ref = false
		s.hand = (s.hand + 1) % s.limit
	}
	delete(s.m, s.slots[s.hand].fp)
	s.slots[s.hand] = seenSlot{fp: fp}
	s.m[fp] = s.hand
	s.hand = (s.hand + 1) % s.limit
	return true
}

// counterState is a Counter's figures as persisted with the positions: restored after a
// restart, the counters continue where the positions say the reading stopped.
type counterState struct {
	// Hours are the hourly counts not yet saved in rows of their own (the open hour).
	Hours      map[string]hourCounts `json:"hours,omitempty"`
	Lines      uint64                `json:"lines"`
	Bytes      uint64                `json:"bytes"`
	Exceptions uint64                `json:"exceptions"`
	NewFPs     uint64                `json:"new_fingerprints"`
	Errors     map[string]uint64     `json:"errors,omitempty"`
	Top        []topState            `json:"top,omitempty"`
}

type topState struct {
	FP       string `json:"fp"`
	Count    uint64 `json:"n"`
	Err      uint64 `json:"err,omitempty"`
	Type     string `json:"type,omitempty"`
	Location string `json:"loc,omitempty"`
	Message  string `json:"msg,omitempty"`
	Lang     string `json:"lang,omitempty"`
}

func (c *Counter) snapshot() counterState {
	c.mu.Lock()
	defer c.mu.Unlock()
	s := counterState{Lines: c.lines, Bytes: c.bytes, Exceptions: c.exceptions, NewFPs: c.newFPs, Hours: c.openHours()}
	if len(c.errReasons) > 0 {
		s.Errors = make(map[string]uint64, len(c.errReasons))
		for k, v := range c.errReasons {
			s.Errors[k] = v
		}
	}
	for _, e := range c.top.heap {
		s.Top = append(s.Top, topState{FP: e.fp, Count: e.count, Err: e.err, Type: e.typ, Location: e.location, Message: e.message, Lang: e.lang})
	}
	return s
}

// restore sets the figures saved by snapshot (before anything is counted).
func (c *Counter) restore(s counterState) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.lines, c.bytes, c.exceptions, c.newFPs = s.Lines, s.Bytes, s.Exceptions, s.NewFPs
	c.errors = 0
	c.errReasons = make(map[string]uint64, len(s.Errors))
	for k, v := range s.Errors {
		c.errReasons[k] = v
		c.errors += v
	}
	c.top = newSpaceSaving(c.top.k)
	for _, t := range s.Top {
		if len(c.top.heap) >= c.top.k {
			break
		}
		e := &ssEntry{fp: t.FP, count: t.Count, err: t.Err, typ: t.Type, location: t.Location, message: t.Message, lang: t.Lang, idx: len(c.top.heap)}
		c.top.heap = append(c.top.heap, e)
		c.top.m[e.fp] = e
		c.top.up(e.idx)
	}
}

// tracked is the number of fingerprints tracked.
func (c *Counter) tracked() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.top.heap)
}

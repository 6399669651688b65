package logscan

import (
	"bytes"
	"encoding/json"
	"time"
)

// Container log envelopes: every line of the file is a record of one of the container's
// output streams, and a long line may be split into several records.
//
//   - CRI (Kubernetes, containerd, CRI-O): "<RFC 3339 time> stdout|stderr P|F <content>";
//     P records are parts of a line continued by the next record of the same stream, F
//     ends it.
//   - Docker json-file: {"log":"<content>\n","stream":"stdout|stderr","time":"..."}; a
//     line longer than 16 KiB is split into records whose "log" does not end with "\n".
//
// Records are joined into logical lines per stream before detection; stdout and stderr
// have a detector each, so a trace never mixes the two streams.
const (
	envUndecided int8 = iota // auto: decided on the first non-empty line
	envNone
	envCRI
	envDocker
)

const (
	streamStdout = 0
	streamStderr = 1
)

// stream is the state of one output stream of a container log.
type stream struct {
	det      *Detector
	prev     []byte
	prevOff  int64
	jsonPrev []byte
	eventOff int64
	// join holds the parts of a split line; joining is true while a line is incomplete.
	join      []byte
	joining   bool
	joinStart int64
	joinLong  bool
	// skipBefore: records before this offset were fully accounted for before a restart.
	skipBefore int64
}

// decideEnv decides the envelope of an auto stream from its first non-empty line.
func (p *lineProc) decideEnv(line []byte) {
	switch {
	case criPrefix(line) > 0:
		p.env = envCRI
	case hasPrefix(line, `{"log":`) && bytes.Contains(line, []byte(`"stream":`)):
		p.env = envDocker
	default:
		p.env = envNone
	}
}

// streamOf returns the state of stream i, creating it.
func (p *lineProc) streamOf(i int) *stream {
	if st := p.streams[i]; st != nil {
		return st
	}
	st := &stream{eventOff: -1}
	if i == streamStdout {
		st.det = p.det
	} else {
		st.det = p.newDet()
		st.det.Touch(p.det.lastFeed)
	}
	st.skipBefore = p.skipBefore[i]
	p.streams[i] = st
	return st
}

// envelopeLine handles one raw line (without newline) of a container log at offset off.
func (p *lineProc) envelopeLine(raw []byte, off int64) {
	raw = trimCR(raw)
	var (
		si      int
		partial bool
		content []byte
		ok      bool
	)
	if p.env == envCRI {
		si, partial, content, ok = parseCRI(raw)
	} else {
		si, partial, content, ok = p.parseDocker(raw)
	}
	if !ok { // not a record (a line written by something else): plain stdout text
		si, partial, content = streamStdout, false, raw
	}
	st := p.streamOf(si)
	if off < st.skipBefore {
		return
	}
	if !st.joining {
		st.joinStart = off
		st.joinLong = false
	}
	if partial || st.joining {
		if room := p.maxLine - len(st.join); room > 0 {
			st.join = append(st.join, content[:min(len(content), room)]...)
		} else if len(content) > 0 && !st.joinLong {
			st.joinLong = true
			p.longLines++
		}
		st.joining = partial
		if partial {
			return
		}
		content = st.join
	}
	if off >= p.countFrom { // counted when complete: at its last record
		p.lines++
	}
	p.feedStream(st, content, st.joinStart)
	n := min(len(content), maxPrevLine)
	st.prev = append(st.prev[:0], content[:n]...)
	st.prevOff = st.joinStart
	st.join = st.join[:0]
}

// feedStream runs one logical line of a stream through the prefilter and the detector.
func (p *lineProc) feedStream(st *stream, line []byte, off int64) {
	d := st.det
	if !d.active && !(len(line) > 0 && interestingFirst(line[0], p.format != fmtText)) && !anyToken(line, textTokens[:]) {
		return
	}
	jsonHit := false
	if t := trimSpaceLeft(line); p.format != fmtText && len(t) > 0 && t[0] == '{' {
		jsonHit = anyToken(line, jsonTokens[:])
	}
	base, basePrev, baseOff := p.det, p.jsonPrev, p.eventOff
	p.det, p.jsonPrev, p.eventOff = d, st.jsonPrev, st.eventOff
	p.handleLine(line, st.prev, off, st.prevOff, jsonHit)
	st.jsonPrev, st.eventOff = p.jsonPrev, p.eventOff
	p.det, p.jsonPrev, p.eventOff = base, basePrev, baseOff
}

func anyToken(line []byte, toks []string) bool {
	for _, t := range toks {
		if bytes.Contains(line, []byte(t)) {
			return true
		}
	}
	return false
}

// parseCRI splits a CRI record.
func parseCRI(line []byte) (si int, partial bool, content []byte, ok bool) {
	n := criPrefix(line)
	if n == 0 {
		return 0, false, nil, false
	}
	sp := bytes.IndexByte(line, ' ')
	if hasPrefix(line[sp+1:], "stderr") {
		si = streamStderr
	}
	partial = line[sp+1+7] == 'P'
	return si, partial, line[n:], true
}

// dockerRecord is a Docker json-file record.
type dockerRecord struct {
	Log    string `json:"log"`
	Stream string `json:"stream"`
}

// parseDocker splits a Docker json-file record. The common shape
// {"log":"...","stream":"...","time":"..."} is read without a JSON decoder.
func (p *lineProc) parseDocker(line []byte) (si int, partial bool, content []byte, ok bool) {
	if !hasPrefix(line, `{"log":"`) {
		return p.parseDockerSlow(line)
	}
	rest := line[len(`{"log":"`):]
	end, esc := -1, false
	for i := 0; i < len(rest); i++ {
		if c := rest[i]; c == '\\' {
			esc = true
			i++
		} else if c == '"' {
			end = i
			break
		}
	}
	if end < 0 {
		return p.parseDockerSlow(line)
	}
	raw := rest[:end]
	after := rest[end+1:]
	switch {
	case hasPrefix(after, `,"stream":"stderr"`):
		si = streamStderr
	case hasPrefix(after, `,"stream":"stdout"`):
	default:
		return p.parseDockerSlow(line)
	}
	if esc {
		var s string
		q := line[len(`{"log":`) : len(`{"log":"`)+end+1]
		if json.Unmarshal(q, &s) != nil {
			return p.parseDockerSlow(line)
		}
		p.unesc = append(p.unesc[:0], s...)
		raw = p.unesc
	}
	if n := len(raw); n > 0 && raw[n-1] == '\n' {
		return si, false, trimCR(raw[:n-1]), true
	}
	return si, true, raw, true
}

func (p *lineProc) parseDockerSlow(line []byte) (int, bool, []byte, bool) {
	var r dockerRecord
	if len(line) == 0 || line[0] != '{' || json.Unmarshal(line, &r) != nil || r.Stream == "" && r.Log == "" {
		return 0, false, nil, false
	}
	si := streamStdout
	if r.Stream == "stderr" {
		si = streamStderr
	}
	p.unesc = append(p.unesc[:0], r.Log...)
	if n := len(p.unesc); n > 0 && p.unesc[n-1] == '\n' {
		return si, false, trimCR(p.unesc[:n-1]), true
	}
	return si, true, p.unesc, true
}

// detectors returns the detectors of the stream (one, or one per container stream).
func (p *lineProc) detectors() []*Detector {
	if p.streams[streamStderr] == nil {
		return []*Detector{p.det}
	}
	return []*Detector{p.det, p.streams[streamStderr].det}
}

func (p *lineProc) touch(now time.Time) {
	for _, d := range p.detectors() {
		d.Touch(now)
	}
}

func (p *lineProc) flushIfQuiet(now time.Time, quiet time.Duration) {
	for _, d := range p.detectors() {
		d.FlushIfQuiet(now, quiet)
	}
}

// flush ends the open events (and a split line still waiting for its end).
func (p *lineProc) flush() {
	for _, st := range p.streams {
		if st != nil && st.joining {
			st.joining = false
			p.lines++ // an incomplete line is never counted before it ends
			p.feedStream(st, st.join, st.joinStart)
			st.join = st.join[:0]
		}
	}
	for _, d := range p.detectors() {
		d.Flush()
	}
}

// resumePoints returns, per stream, the offset from which the stream must be read again
// after a restart so that nothing is lost or counted twice: the start of its open event
// or of its incomplete split line, else the current offset.
func (p *lineProc) resumePoints() [2]int64 {
	var r [2]int64
	for i := range r {
		r[i] = p.off
		st := p.streams[i]
		if st == nil {
			if i == streamStdout && p.env <= envNone {
				r[i] = p.safeOffset()
			}
			continue
		}
		if st.joining {
			r[i] = min(r[i], st.joinStart)
		}
		if st.det.active && !st.det.overflow && st.eventOff >= 0 {
			r[i] = min(r[i], st.eventOff)
		}
	}
	return r
}

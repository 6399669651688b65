package logscan

import (
	"bytes"
	"fmt"
	"io"
)

// Log formats (logs[].format).
const (
	FormatAuto   = "auto"
	FormatText   = "text"
	FormatJSON   = "json"
	FormatCRI    = "cri"
	FormatDocker = "docker"
)

const (
	fmtAuto = iota
	fmtText
	fmtJSON
	fmtCRI
	fmtDocker
)

func parseFormat(s string) (int, error) {
	switch s {
	case "", FormatAuto:
		return fmtAuto, nil
	case FormatText:
		return fmtText, nil
	case FormatJSON:
		return fmtJSON, nil
	case FormatCRI:
		return fmtCRI, nil
	case FormatDocker:
		return fmtDocker, nil
	}
	return 0, fmt.Errorf("logscan: unknown log format %q (want auto, text, json, cri or docker)", s)
}

// DefaultMaxLineBytes caps one line; the rest of a longer line is skipped and counted.
const DefaultMaxLineBytes = 1 << 20

// textTokens are the substrings that can start an exception event anywhere in a text
// line; starts at the beginning of a line ("panic: ", "fatal error: ", "goroutine ",
// frames) are caught by interestingFirst. A line with neither, outside an event, is
// skipped after one bytes.Index per token per chunk (not per line). The tokens are
// chosen for rare first bytes: bytes.Index skips ahead with a vectorised IndexByte.
var textTokens = [...]string{"xception", "Error", "(most recent call"}

// jsonTokens: a JSON line (outside an open event) without any of them carries no
// exception. A stack in a JSON string always holds an escaped newline; a record with only
// a type has a "...type" key; a one-line message naming an exception has a token of its
// own. Rare first bytes again keep bytes.Index fast.
var jsonTokens = [...]string{"xception", "Error", "(most recent call", "\\n", "ype\"", " panicked at "}

// lineProc splits chunks into lines and drives the detector, with a cheap prefilter.
type lineProc struct {
	det    *Detector
	format int

	tokNext  [len(textTokens)]int
	jsonNext [len(jsonTokens)]int
	prevBuf  []byte // previous line when it was in an earlier chunk
	prevOff  int64

	// off is the stream offset of the next byte to process.
	off int64
	// eventOff is the stream offset where the open event began.
	eventOff int64

	lines     uint64
	bytes     uint64
	longLines uint64
	badJSON   uint64
	jsonPrev  []byte
	// env is the container log envelope (see container.go); auto decides it on the first
	// non-empty line, so other logs pay nothing.
	env     int8
	streams [2]*stream
	newDet  func() *Detector
	maxLine int
	unesc   []byte
	// countFrom: lines that start before this offset were counted before a restart; they
	// are read again (an open event needs them) but not counted again.
	countFrom int64
	// skipBefore: per container stream, records before it were accounted for.
	skipBefore [2]int64
	// tail holds the last bytes processed (up to tailLen), to recognise a copy of the
	// stream (copy-truncate rotation).
	tail []byte
	// head holds the first bytes (up to headLen) of a stream read from offset 0.
	head      []byte
	headFrom0 bool
}

const tailLen = 256

// captureHead keeps the first headLen bytes of a stream read from offset 0 (data is
// processed at p.off).
func (p *lineProc) captureHead(data []byte) {
	if p.headFrom0 && p.off < headLen {
		p.head = append(p.head, data[:min(int64(len(data)), headLen-p.off)]...)
	}
}

func (p *lineProc) keepTail(data []byte) {
	if len(data) >= tailLen {
		p.tail = append(p.tail[:0], data[len(data)-tailLen:]...)
		return
	}
	p.tail = append(p.tail, data...)
	if over := len(p.tail) - tailLen; over > 0 {
		p.tail = append(p.tail[:0], p.tail[over:]...)
	}
}

func newLineProc(det *Detector, format int) *lineProc {
	p := &lineProc{det: det, format: format, env: envNone, maxLine: DefaultMaxLineBytes}
	p.newDet = func() *Detector {
		return NewDetector(DetectorOptions{InApp: det.inApp, MaxEventLines: det.maxLines, MaxEventBytes: det.maxBytes}, det.emit)
	}
	switch format {
	case fmtAuto:
		p.env = envUndecided
	case fmtCRI:
		p.env = envCRI
		p.format = fmtAuto
	case fmtDocker:
		p.env = envDocker
		p.format = fmtAuto
	}
	return p
}

func interestingFirst(c byte, json bool) bool {
	switch c {
	case ' ', '\t', '#', 'g', 'p', 'f', 't': // 't': a Rust panic, "thread 'main' panicked at"
		return true
	case '{':
		return json
	}
	return false
}

// nextHit returns the smallest position >= from where a text token starts, or len(data).
func (p *lineProc) nextHit(data []byte, from int) int {
	hit := len(data)
	for i := range p.tokNext {
		if p.tokNext[i] < from {
			j := bytes.Index(data[from:], []byte(textTokens[i]))
			if j < 0 {
				p.tokNext[i] = len(data)
			} else {
				p.tokNext[i] = from + j
			}
		}
		hit = min(hit, p.tokNext[i])
	}
	return hit
}

// nextJSONHit is nextHit for the JSON tokens (computed lazily, only for JSON lines).
func (p *lineProc) nextJSONHit(data []byte, from int) int {
	hit := len(data)
	for i := range p.jsonNext {
		if p.jsonNext[i] < from {
			j := bytes.Index(data[from:], []byte(jsonTokens[i]))
			if j < 0 {
				p.jsonNext[i] = len(data)
			} else {
				p.jsonNext[i] = from + j
			}
		}
		hit = min(hit, p.jsonNext[i])
	}
	return hit
}

// processChunk handles data made of whole lines (the last one may lack its newline).
func (p *lineProc) processChunk(data []byte) {
	if len(data) == 0 {
		return
	}
	p.countBytes(len(data))
	for i := range p.tokNext {
		p.tokNext[i] = -1
	}
	for i := range p.jsonNext {
		p.jsonNext[i] = -1
	}
	json := p.format != fmtText
	hit := p.nextHit(data, 0)
	pos := 0
	prevS, prevE, prevPos := -1, -1, -1 // previous line's content and raw start
	for pos < len(data) {
		e := bytes.IndexByte(data[pos:], '\n')
		next := 0
		if e < 0 {
			e = len(data)
			next = e
		} else {
			e += pos
			next = e + 1
		}
		if p.env != envNone {
			if p.env == envUndecided && e > pos {
				p.decideEnv(data[pos:e])
			}
			if p.env > envNone {
				p.envelopeLine(data[pos:e], p.off+int64(pos))
				pos = next
				continue
			}
		}
		if p.countFrom <= p.off+int64(pos) {
			p.lines++
		}
		cs := pos
		if hit < e || p.det.active || (e > cs && interestingFirst(data[cs], json)) {
			var prev []byte
			var prevOff int64
			if prevS >= 0 {
				prev = data[prevS:prevE]
				prevOff = p.off + int64(prevPos)
			} else {
				prev = p.prevBuf
				prevOff = p.prevOff
			}
			line := data[cs:e]
			jsonHit := false
			if json {
				if t := trimSpaceLeft(line); len(t) > 0 && t[0] == '{' {
					jsonHit = p.nextJSONHit(data, cs) < e
				}
			}
			p.handleLine(line, prev, p.off+int64(pos), prevOff, jsonHit)
			if hit < next {
				hit = p.nextHit(data, next)
			}
		}
		prevS, prevE, prevPos = cs, e, pos
		pos = next
	}
	if prevS >= 0 {
		p.prevBuf = append(p.prevBuf[:0], data[prevS:min(prevE, prevS+maxPrevLine)]...)
		p.prevOff = p.off + int64(prevPos)
	}
	p.captureHead(data)
	p.off += int64(len(data))
	p.keepTail(data)
}

// handleLine feeds one candidate line.
func (p *lineProc) handleLine(line, prev []byte, lineOff, prevOff int64, jsonHit bool) {
	begins := p.det.begins
	if p.format != fmtText {
		t := trimSpaceLeft(line)
		if len(t) > 0 && t[0] == '{' && p.handleJSON(t, jsonHit) {
			if p.det.begins != begins && p.det.active {
				p.eventOff = lineOff
			}
			return
		}
	}
	p.det.feed(line, prev)
	if p.det.begins != begins && p.det.active {
		p.eventOff = lineOff
		if p.det.withPrev {
			p.eventOff = prevOff
		}
	}
}

// safeOffset is the stream offset up to which every line is fully accounted for: a
// restart from there neither loses nor recounts an event.
func (p *lineProc) safeOffset() int64 {
	if p.env > envNone {
		r := p.resumePoints()
		return min(r[0], r[1])
	}
	if p.det.active && !p.det.overflow && p.eventOff < p.off {
		return p.eventOff
	}
	return p.off
}

// splitter buffers reads and hands whole lines to a lineProc, capping line length. Its
// buffer starts small and grows up to the line cap when a line does not fit.
type splitter struct {
	buf     []byte
	max     int
	n       int
	discard bool // dropping the rest of an over-long line
}

func newSplitter(maxLine int) *splitter { return newSplitterSize(maxLine, maxLine) }

// newSplitterSize returns a splitter with an initial buffer of initial bytes.
func newSplitterSize(maxLine, initial int) *splitter {
	if maxLine <= 0 {
		maxLine = DefaultMaxLineBytes
	}
	initial = min(max(initial, 4096), maxLine)
	return &splitter{buf: make([]byte, initial), max: maxLine}
}

// fill reads once from r.
func (s *splitter) fill(r io.Reader) (int, error) {
	k, err := r.Read(s.buf[s.n:])
	s.n += k
	return k, err
}

// drain processes the whole lines held; a partial last line stays. It returns the
// number of stream bytes consumed.
func (s *splitter) drain(p *lineProc) int64 {
	data := s.buf[:s.n]
	start := 0
	if s.discard {
		i := bytes.IndexByte(data, '\n')
		if i < 0 {
			p.countBytes(s.n)
			p.captureHead(data)
			p.off += int64(s.n)
			p.keepTail(data)
			s.n = 0
			return int64(len(data))
		}
		start = i + 1
		p.countBytes(start)
		p.captureHead(data[:start])
		p.off += int64(start)
		p.keepTail(data[:start])
		s.discard = false
	}
	if last := bytes.LastIndexByte(data[start:], '\n'); last >= 0 {
		end := start + last + 1
		p.processChunk(data[start:end])
		start = end
	}
	if start == 0 && s.n == len(s.buf) && len(s.buf) < s.max {
		nb := make([]byte, min(2*len(s.buf), s.max))
		copy(nb, s.buf[:s.n])
		s.buf = nb
		return 0
	}
	if start == 0 && s.n == len(s.buf) {
		// A line longer than the cap: keep its head as a line, skip the rest.
		p.processChunk(data)
		p.longLines++
		s.discard = true
		start = s.n
	}
	rem := copy(s.buf, data[start:])
	s.n = rem
	return int64(start)
}

// finish processes a final line without newline (end of a stream, not of a followed file).
func (s *splitter) finish(p *lineProc) {
	if s.n > 0 && !s.discard {
		p.processChunk(s.buf[:s.n])
	} else if s.n > 0 {
		p.countBytes(s.n)
		p.captureHead(s.buf[:s.n])
		p.off += int64(s.n)
	}
	s.n = 0
	s.discard = false
}

// criPrefix returns the length of a CRI log prefix ("<RFC 3339 time> stdout|stderr F|P "),
// or 0.
func criPrefix(line []byte) int {
	if len(line) < 30 || !isDigit(line[0]) || line[4] != '-' || line[10] != 'T' {
		return 0
	}
	sp := bytes.IndexByte(line[:min(len(line), 40)], ' ')
	if sp < 19 {
		return 0
	}
	rest := line[sp+1:]
	if !hasPrefix(rest, "stdout ") && !hasPrefix(rest, "stderr ") {
		return 0
	}
	rest = rest[7:]
	if len(rest) < 1 || rest[0] != 'F' && rest[0] != 'P' {
		return 0
	}
	if len(rest) == 1 {
		return sp + 1 + 7 + 1
	}
	if rest[1] != ' ' {
		return 0
	}
	return sp + 1 + 7 + 2
}

// countBytes counts the next n stream bytes (at p.off), except those read again after a
// restart (before countFrom).
func (p *lineProc) countBytes(n int) {
	end := p.off + int64(n)
	if from := max(p.off, p.countFrom); end > from {
		p.bytes += uint64(end - from)
	}
}

// Package logscan turns application logs into exception counts: it splits lines, groups
// multi-line stack traces into events (Java, Python, Go, Node.js, .NET, Ruby, PHP, Dart),
// reads JSON logs (ECS, OpenTelemetry and common fields), fingerprints each event (v1),
// keeps the top fingerprints in bounded memory and follows rotating files.
package logscan

import (
	"bytes"
	"time"
)

// Language names reported in Event.Language.
const (
	LangJava    = "java"
	LangPython  = "python"
	LangGo      = "go"
	LangJS      = "javascript"
	LangDotNet  = "dotnet"
	LangRuby    = "ruby"
	LangPHP     = "php"
	LangDart    = "dart"
	LangRust    = "rust"
	LangUnknown = "unknown"
)

// Event is one detected exception. The detector reuses the Event it hands to the sink:
// keep the strings, not the pointer.
type Event struct {
	Language    string
	Type        string // exception class/kind, e.g. java.lang.NullPointerException, KeyError, panic
	Message     string // masked message, at most 120 characters, valid UTF-8
	Location    string // the top in-app frame, "" when the event has no stack
	Fingerprint string // fingerprint v1: 16 lowercase hex characters
	Lines       int    // lines of the event when it was emitted
}

// Default limits of an event.
const (
	DefaultMaxEventLines = 2000
	DefaultMaxEventBytes = 256 << 10
	maxPrevLine          = 4 << 10
)

// DetectorOptions configure a Detector. Zero values take the defaults.
type DetectorOptions struct {
	// InApp are prefixes of frames (function, class, module or file path) that belong to
	// the application; without them well-known framework and runtime frames are skipped.
	InApp []string
	// MaxEventLines and MaxEventBytes bound one event: when reached the event is emitted
	// and the rest of the trace is consumed without being stored.
	MaxEventLines int
	MaxEventBytes int
}

// event kinds: they select the continuation rules.
const (
	kindGeneric = iota // Java, .NET, JS, Ruby: indented frames
	kindPython
	kindGo
	kindDart
	kindPHP
	kindRust
)

// Detector groups log lines into exception events. It is not safe for concurrent use.
type Detector struct {
	inApp    []string
	maxLines int
	maxBytes int
	emit     func(*Event)

	active     bool
	kind       int
	strong     bool // the header alone makes an event
	conts      int  // continuation lines after the header
	blankRun   int
	prevColon  bool // the last non-blank line ended with ':'
	overflow   bool // emitted at the size limit; the rest is consumed
	pyExc      bool // python: the exception line was seen
	pyChain    bool // python: a chain marker ("During handling ...") was seen since the exception line
	goStack    bool // go: a pkg/errors-style stack (function line + tab-indented file:line, no goroutine header)
	rustBT     bool // rust: "stack backtrace:" or a note was seen; only frames and notes follow
	dartFrames bool
	dartMsg    int
	lines      int
	lastFeed   time.Time
	begins     uint64 // events begun, to notice a start
	withPrev   bool   // the open event began with the previous line

	hintType, hintMsg string

	buf  []byte
	ends []int
	prev []byte // previous line, for Feed

	held  [3][]byte // lines held back (see holdable)
	nheld int
	ev    Event
}

// NewDetector returns a detector that calls emit for each complete event. The *Event is
// only valid during the call.
func NewDetector(opts DetectorOptions, emit func(*Event)) *Detector {
	d := &Detector{inApp: opts.InApp, maxLines: opts.MaxEventLines, maxBytes: opts.MaxEventBytes, emit: emit}
	if d.maxLines <= 0 {
		d.maxLines = DefaultMaxEventLines
	}
	if d.maxBytes <= 0 {
		d.maxBytes = DefaultMaxEventBytes
	}
	return d
}

// Feed processes one line (without its newline).
func (d *Detector) Feed(line []byte) {
	d.feed(line, d.prev)
	n := min(len(line), maxPrevLine)
	d.prev = append(d.prev[:0], line[:n]...)
}

// Pending reports whether an event is open (waiting for more lines).
func (d *Detector) Pending() bool { return d.active }

// Flush ends the open event, if any, and emits it. Call it at the end of input and when
// the input has been quiet for a while.
func (d *Detector) Flush() {
	d.end()
	d.prev = d.prev[:0]
}

// Touch records that input arrived at now (for FlushIfQuiet).
func (d *Detector) Touch(now time.Time) { d.lastFeed = now }

// FlushIfQuiet flushes the open event when no input arrived (see Touch) for quiet.
// It reports whether it flushed.
func (d *Detector) FlushIfQuiet(now time.Time, quiet time.Duration) bool {
	if !d.active || now.Sub(d.lastFeed) < quiet {
		return false
	}
	d.Flush()
	return true
}

// feed is Feed with an explicit previous line (the pipeline keeps it without copying).
func (d *Detector) feed(line, prev []byte) {
	line = trimCR(line)
	if d.active {
		if d.continues(line) {
			for i := range d.nheld {
				d.add(d.held[i])
			}
			d.nheld = 0
			d.add(line)
			return
		}
		if d.holdable(line) {
			d.held[d.nheld] = append(d.held[d.nheld][:0], line...)
			d.nheld++
			return
		}
		d.end()
	}
	d.start(line, prev)
}

// holdable reports whether a line that does not continue the open (generic) event may
// still be part of it: a multi-line message ("File name: ...", SQL text) is followed by
// more frames. Such a line is held back until the next line decides. Lines that look
// like a new log record (timestamp, bracket) or start an event themselves are not held.
func (d *Detector) holdable(line []byte) bool {
	if d.kind != kindGeneric && !(d.kind == kindGo && d.goStack) || d.overflow || d.nheld >= len(d.held) ||
		len(line) == 0 || len(line) > 512 {
		return false
	}
	c := line[0]
	if isDigit(c) || c == '[' || c == '{' || c == '<' {
		return false
	}
	t := trimSpaceLeft(line)
	if _, _, ok := classifyHeader(line, t); ok {
		return false
	}
	if _, ok := frameStart(line, t, nil); ok {
		return false
	}
	if _, _, pos, ok := findTyped(line, false); ok && pos == 0 {
		return false // "Error: msg" at the start of a line: the next error (JavaScript)
	}
	return true
}

func (d *Detector) begin(kind int, strong bool) {
	d.active = true
	d.begins++
	d.withPrev = false
	d.kind = kind
	d.strong = strong
	d.conts = 0
	d.blankRun = 0
	d.prevColon = false
	d.overflow = false
	d.pyExc = false
	d.pyChain = false
	d.goStack = false
	d.rustBT = false
	d.dartFrames = false
	d.dartMsg = 0
	d.lines = 0
	d.buf = d.buf[:0]
	d.ends = d.ends[:0]
}

func (d *Detector) start(line, prev []byte) {
	t := trimSpaceLeft(line)
	if len(t) == 0 {
		return
	}
	if kind, ok := frameStart(line, t, prev); ok {
		d.begin(kind, false)
		if kind == kindDart {
			d.dartFrames = true
		}
		if kind == kindGo {
			d.goStack = true
		}
		p := trimCR(prev)
		if len(trimSpaceLeft(p)) > 0 {
			d.withPrev = true
			d.add(p)
		}
		d.add(line)
		d.conts++
		return
	}
	if kind, strong, ok := classifyHeader(line, t); ok {
		d.begin(kind, strong)
		if kind == kindGo && !strong && bytes.Contains(prev, []byte("http: panic serving")) {
			// "2019/01/15 07:48:05 http: panic serving [::1]:54143: msg" + "goroutine 24 [running]:"
			d.strong = true
			d.withPrev = true
			d.add(trimCR(prev))
		}
		d.add(line)
	}
}

// add stores one line of the open event.
func (d *Detector) add(line []byte) {
	d.lines++
	if len(line) == 0 {
		return
	}
	if d.lines > 1 {
		d.conts++
	}
	d.prevColon = line[len(line)-1] == ':'
	if d.overflow {
		return
	}
	if len(d.ends) >= d.maxLines || len(d.buf)+len(line) > d.maxBytes {
		d.emitEvent()
		d.overflow = true
		return
	}
	d.buf = append(d.buf, line...)
	d.ends = append(d.ends, len(d.buf))
}

// end closes the open event and emits it when it qualifies.
func (d *Detector) end() {
	if !d.active {
		return
	}
	if !d.overflow {
		d.emitEvent()
	}
	d.active = false
	d.nheld = 0
	d.buf = d.buf[:0]
	d.ends = d.ends[:0]
	d.hintType, d.hintMsg = "", ""
}

func (d *Detector) emitEvent() {
	if !d.strong && d.conts == 0 {
		return
	}
	d.ev = Event{}
	parseEvent(d, &d.ev)
	d.ev.Lines = d.lines
	if d.emit != nil {
		d.emit(&d.ev)
	}
}

// line returns stored line i of the open event.
func (d *Detector) line(i int) []byte {
	s := 0
	if i > 0 {
		s = d.ends[i-1]
	}
	return d.buf[s:d.ends[i]]
}

func maxBlank(kind int) int {
	if kind == kindDart {
		return 2
	}
	return 1
}

// continues reports whether line belongs to the open event.
func (d *Detector) continues(line []byte) bool {
	t := trimSpaceLeft(line)
	if len(t) == 0 {
		d.blankRun++
		return d.blankRun <= maxBlank(d.kind)
	}
	d.blankRun = 0
	indented := len(t) < len(line)
	switch d.kind {
	case kindPython:
		if hasPrefix(line, "During handling of the above exception") || hasPrefix(line, "The above exception was the direct cause") {
			d.pyExc = false
			d.pyChain = true
			return true
		}
		if hasPrefix(t, "Traceback (most recent call last)") {
			// Only a chain marker joins two tracebacks; back to back they are two events.
			if !indented && !d.pyChain {
				return false
			}
			d.pyChain = false
			d.pyExc = false
			return true
		}
		if indented {
			return true
		}
		if d.pyExc {
			return false
		}
		d.pyExc = true
		return true
	case kindGo:
		if indented {
			return true
		}
		if d.goStack && isGoFuncName(line) {
			return true
		}
		return isGoContinuation(line)
	case kindRust:
		if indented {
			return true
		}
		if hasPrefix(line, "stack backtrace:") || hasPrefix(line, "note: ") {
			d.rustBT = true
			return true
		}
		if d.rustBT {
			return false
		}
		d.dartMsg++ // message lines between the header and the backtrace
		return d.dartMsg <= 20
	case kindDart:
		if !d.dartFrames {
			if isHashFrame(line) {
				d.dartFrames = true
				return true
			}
			d.dartMsg++
			return d.dartMsg <= 12
		}
		return indented || isHashFrame(line) || hasPrefix(line, "<asynchronous suspension>")
	case kindPHP:
		return indented || isHashFrame(line) || hasPrefix(line, "Stack trace:") || hasPrefix(line, "Next ") ||
			hasPrefix(line, "thrown in ")
	}
	if indented {
		return true
	}
	if hasPrefix(line, "Caused by:") || hasPrefix(line, "Suppressed:") || hasPrefix(line, "...") ||
		hasPrefix(line, "--- ") || hasPrefix(line, "---> ") || hasPrefix(line, "Stack trace:") {
		return true
	}
	if d.prevColon {
		if _, _, _, ok := findTyped(line, true); ok {
			return true
		}
	}
	return false
}

func isGoContinuation(line []byte) bool {
	switch {
	case hasPrefix(line, "goroutine "), hasPrefix(line, "created by "), hasPrefix(line, "[signal "),
		hasPrefix(line, "runtime stack:"), hasPrefix(line, "exit status "),
		hasPrefix(line, "...additional frames elided..."),
		hasPrefix(line, "[recovered"), hasPrefix(line, "PC="), hasPrefix(line, "SIG"):
		return true
	}
	return isGoFuncLine(line)
}

// isGoFuncLine matches "pkg.(*T).method(0x1, 0x2)" and "main.main()".
func isGoFuncLine(line []byte) bool {
	if len(line) < 3 || line[len(line)-1] != ')' {
		return false
	}
	p := bytes.IndexByte(line, '(')
	if p <= 0 {
		return false
	}
	sp := bytes.IndexByte(line, ' ')
	return sp < 0 || sp > p
}

// isGoFuncName matches a function line of a pkg/errors-style stack ("%+v"): a qualified
// name without spaces and without arguments, "github.com/x/y.(*T).Method", "main.main".
func isGoFuncName(line []byte) bool {
	if len(line) < 3 || len(line) > 512 || bytes.IndexByte(line, ' ') >= 0 || bytes.IndexByte(line, '\t') >= 0 {
		return false
	}
	dot := bytes.LastIndexByte(line, '.')
	if dot <= 0 || dot == len(line)-1 {
		return false
	}
	for _, c := range line {
		if !isIdentByte(c) && c != '.' && c != '/' && c != '(' && c != ')' && c != '*' && c != '-' && c != '~' && c != '[' && c != ']' && c != ',' {
			return false
		}
	}
	return true
}

// isGoFilePos matches the tab-indented position line of a pkg/errors-style stack:
// "\t/src/app/main.go:12" (also assembly frames, "asm_amd64.s:1700").
func isGoFilePos(line, t []byte) bool {
	if len(line) == len(t) || line[0] != '\t' {
		return false
	}
	c := bytes.LastIndexByte(t, ':')
	if c <= 0 || c == len(t)-1 {
		return false
	}
	for _, d := range t[c+1:] {
		if !isDigit(d) {
			return false
		}
	}
	return bytes.HasSuffix(t[:c], []byte(".go")) || bytes.HasSuffix(t[:c], []byte(".s"))
}

// isHashFrame matches "#0      main (file:///x.dart:1:2)" and "#3 /x.php(9): f()".
func isHashFrame(line []byte) bool {
	if len(line) < 3 || line[0] != '#' || !isDigit(line[1]) {
		return false
	}
	i := 2
	for i < len(line) && isDigit(line[i]) {
		i++
	}
	return i < len(line) && line[i] == ' '
}

// frameStart reports whether line is a stack frame that opens an event whose header is
// the previous line (a "lookback" start), and the kind of that event.
func frameStart(line, t, prev []byte) (int, bool) {
	if len(t) == 0 {
		return 0, false
	}
	if len(t) == len(line) { // not indented
		if hasPrefix(line, "#0 ") && bytes.IndexByte(line, '(') > 0 {
			if hasPrefix(trimSpaceLeft(prev), "Stack trace:") {
				return kindPHP, true
			}
			return kindDart, true
		}
		return 0, false
	}
	if isGoFilePos(line, t) && isGoFuncName(trimCR(prev)) {
		return kindGo, true
	}
	switch t[0] {
	case 'a', 'e':
		if hasPrefix(t, "eval at ") {
			return kindGeneric, true
		}
		if hasPrefix(t, "at ") && len(t) > 3 && isFrameNameStart(t[3]) &&
			(bytes.IndexByte(t, '(') > 0 || bytes.IndexByte(t, ':') > 0) {
			return kindGeneric, true
		}
	case 'F':
		if hasPrefix(t, `File "`) && bytes.Contains(t, []byte(`", line `)) {
			return kindPython, true
		}
	case 'f':
		if hasPrefix(t, "from ") && bytes.Contains(t, []byte(":in ")) {
			return kindGeneric, true
		}
	}
	if isRubyFrame(t) {
		return kindGeneric, true
	}
	return 0, false
}

func isFrameNameStart(c byte) bool {
	return isIdentByte(c) || c == '<' || c == '/' || c == '.' || c == '\\' || c == '['
}

// isRubyFrame matches "app/x.rb:69:in `m'" and "x.rb:3:in 'C#m'".
func isRubyFrame(t []byte) bool {
	i := bytes.Index(t, []byte(".rb:"))
	if i < 0 {
		return false
	}
	j := i + 4
	k := j
	for k < len(t) && isDigit(t[k]) {
		k++
	}
	return k > j && hasPrefix(t[k:], ":in ")
}

// classifyHeader decides whether a line opens an event by itself.
func classifyHeader(line, t []byte) (kind int, strong, ok bool) {
	if bytes.Contains(line, []byte("Traceback (most recent call last)")) {
		return kindPython, true, true
	}
	if hasPrefix(t, "panic: ") || hasPrefix(t, "fatal error: ") || bytes.Contains(line, []byte("http: panic serving")) {
		return kindGo, true, true
	}
	if hasPrefix(line, "goroutine ") && len(line) > 10 && isDigit(line[10]) {
		return kindGo, false, true
	}
	if hasPrefix(t, "thread '") && bytes.Contains(t, []byte(" panicked at ")) {
		return kindRust, true, true
	}
	if bytes.HasSuffix(t, []byte("Unhandled exception:")) {
		return kindDart, true, true
	}
	if i := bytes.Index(line, []byte("exception '")); i >= 0 && bytes.Contains(line[i:], []byte("' with message ")) {
		return kindPHP, true, true
	}
	if i := bytes.Index(line, []byte("PHP Fatal error:")); i >= 0 && bytes.Contains(line[i:], []byte("Uncaught ")) {
		return kindPHP, true, true
	}
	if _, _, _, ok := findTyped(line, true); ok {
		return kindGeneric, true, true
	}
	return 0, false, false
}

func trimCR(b []byte) []byte {
	if n := len(b); n > 0 && b[n-1] == '\r' {
		return b[:n-1]
	}
	return b
}

func trimSpaceLeft(b []byte) []byte {
	i := 0
	for i < len(b) && (b[i] == ' ' || b[i] == '\t') {
		i++
	}
	return b[i:]
}

func hasPrefix(b []byte, p string) bool {
	return len(b) >= len(p) && string(b[:len(p)]) == p
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

func isIdentByte(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '$'
}

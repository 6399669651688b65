package logscan

import (
	"bytes"
	"strings"
)

// frame is one stack frame as printed: function and file/module path.
type frame struct {
	fn   string
	file string
}

// segment is one exception of a (possibly chained) event.
type segment struct {
	typ    string
	msg    string
	frames []frame
}

// parsed is the structure extracted from an event's lines.
type parsed struct {
	lang string
	segs []segment
	// pyOrder: segments are printed root cause first, outermost last (Python, PHP).
	rootFirst bool
	// innermostLast: frames are printed most recent call last (Python).
	recentLast bool
}

func (p *parsed) newSeg(typ, msg string) *segment {
	p.segs = append(p.segs, segment{typ: typ, msg: msg})
	return &p.segs[len(p.segs)-1]
}

// parseEvent fills ev from the detector's open event.
func parseEvent(d *Detector, ev *Event) {
	n := len(d.ends)
	lines := make([][]byte, 0, n)
	for i := range n {
		lines = append(lines, d.line(i))
	}
	var p parsed
	switch d.kind {
	case kindPython:
		parsePython(&p, lines)
	case kindGo:
		parseGo(&p, lines)
	case kindDart:
		parseDart(&p, lines)
	case kindPHP:
		parsePHP(&p, lines)
	case kindRust:
		parseRust(&p, lines)
	default:
		parseGeneric(&p, lines)
	}
	if d.hintType != "" || d.hintMsg != "" {
		s := p.outer()
		if d.hintType != "" && (s.typ == "" || s.typ == "unknown") {
			s.typ = d.hintType
		}
		if s.msg == "" {
			s.msg = d.hintMsg
		}
	}
	finishEvent(&p, d.inApp, ev)
}

// outer returns the outermost segment (creating one when there is none).
func (p *parsed) outer() *segment {
	if len(p.segs) == 0 {
		p.segs = append(p.segs, segment{})
	}
	if p.rootFirst {
		return &p.segs[len(p.segs)-1]
	}
	return &p.segs[0]
}

func (p *parsed) root() *segment {
	if len(p.segs) == 0 {
		p.segs = append(p.segs, segment{})
	}
	if p.rootFirst {
		return &p.segs[0]
	}
	return &p.segs[len(p.segs)-1]
}

// ---- Python ----

func parsePython(p *parsed, lines [][]byte) {
	p.lang = LangPython
	p.rootFirst = true
	p.recentLast = true
	var cur *segment
	for _, l := range lines {
		t := trimSpaceLeft(l)
		t = bytes.TrimLeft(t, "|+ ") // exception groups
		switch {
		case bytes.Contains(l, []byte("Traceback (most recent call last)")):
			cur = p.newSeg("", "")
		case hasPrefix(t, `File "`):
			if cur == nil {
				cur = p.newSeg("", "")
			}
			rest := t[6:]
			q := bytes.IndexByte(rest, '"')
			if q < 0 {
				continue
			}
			f := frame{file: string(rest[:q])}
			if k := bytes.Index(rest, []byte(", in ")); k >= 0 {
				f.fn = string(bytes.TrimSpace(rest[k+5:]))
			}
			cur.frames = append(cur.frames, f)
		case len(t) == len(l) && len(t) > 0:
			if hasPrefix(l, "During handling") || hasPrefix(l, "The above exception") {
				continue
			}
			if cur == nil {
				cur = p.newSeg("", "")
			}
			if cur.typ == "" {
				cur.typ, cur.msg = splitTypeMsg(t)
			}
		}
	}
}

// splitTypeMsg splits "module.Type: message" (or just "Type").
func splitTypeMsg(t []byte) (string, string) {
	t = bytes.TrimSpace(t)
	i := 0
	for i < len(t) && (isIdentByte(t[i]) || t[i] == '.' || t[i] == '\\') {
		i++
	}
	if i == 0 {
		return "", string(t)
	}
	if i == len(t) {
		return string(t), ""
	}
	if t[i] == ':' {
		return string(t[:i]), string(bytes.TrimSpace(t[i+1:]))
	}
	return "", string(t)
}

// ---- Go ----

func parseGo(p *parsed, lines [][]byte) {
	p.lang = LangGo
	s := p.newSeg("", "")
	goroutines := 0
	for i, l := range lines {
		t := trimSpaceLeft(l)
		switch {
		case s.typ == "" && hasPrefix(t, "panic: "):
			s.typ, s.msg = "panic", string(t[7:])
		case s.typ == "" && hasPrefix(t, "fatal error: "):
			s.typ, s.msg = "fatal error", string(t[13:])
		case s.typ == "" && bytes.Contains(l, []byte("http: panic serving ")):
			k := bytes.Index(l, []byte("http: panic serving ")) + len("http: panic serving ")
			rest := l[k:]
			// skip the remote address ("[::1]:54143: msg")
			if j := bytes.Index(rest, []byte(": ")); j >= 0 {
				rest = rest[j+2:]
			}
			s.typ, s.msg = "panic", string(rest)
		case hasPrefix(l, "goroutine "):
			goroutines++
		case goroutines <= 1 && len(t) == len(l) && len(l) > 0 && !hasPrefix(l, "created by ") &&
			(isGoFuncLine(l) || goFileNext(lines, i)):
			fn := l
			if isGoFuncLine(l) {
				fn = l[:bytes.LastIndexByte(l, '(')]
			}
			f := frame{fn: string(fn)}
			if goFileNext(lines, i) {
				nx := trimSpaceLeft(lines[i+1])
				f.file = string(nx[:bytes.Index(nx, []byte(".go:"))+3])
			}
			s.frames = append(s.frames, f)
		}
	}
	if s.typ == "" {
		s.typ = "goroutine dump"
		if goroutines == 0 { // a stack logged with an error (zap's stacktrace, debug.Stack)
			s.typ = "error"
		}
	}
	s.msg = strings.TrimSuffix(strings.TrimSpace(s.msg), " [recovered]")
}

// goFileNext reports whether line i+1 is an indented Go file position ("\t/x/y.go:12").
func goFileNext(lines [][]byte, i int) bool {
	if i+1 >= len(lines) {
		return false
	}
	nx := trimSpaceLeft(lines[i+1])
	return len(nx) < len(lines[i+1]) && bytes.Contains(nx, []byte(".go:"))
}

// ---- Rust ----

// parseRust parses a panic: "thread 'main' (12) panicked at src/main.rs:4:5:" and the
// message on the next lines (Rust >= 1.73), or "thread 'main' panicked at 'msg',
// src/main.rs:4:5" (older), then "stack backtrace:" with "  N: fn" / "  at file:line:col".
func parseRust(p *parsed, lines [][]byte) {
	p.lang = LangRust
	s := p.newSeg("panic", "")
	var at string // the panic location, a frame when there is no backtrace
	inBT := false
	for i, l := range lines {
		t := trimSpaceLeft(l)
		switch {
		case i == 0:
			k := bytes.Index(l, []byte(" panicked at "))
			rest := l[k+len(" panicked at "):]
			if len(rest) > 0 && rest[0] == '\'' { // old format: 'msg', file:line:col
				if e := bytes.LastIndex(rest, []byte("', ")); e > 0 {
					s.msg = string(rest[1:e])
					at = string(rest[e+3:])
				}
			} else {
				at = string(bytes.TrimSuffix(bytes.TrimSpace(rest), []byte(":")))
			}
		case hasPrefix(t, "stack backtrace:"):
			inBT = true
		case hasPrefix(l, "note: "):
		case inBT && len(t) < len(l) && hasPrefix(t, "at ") && len(s.frames) > 0:
			f := &s.frames[len(s.frames)-1]
			if f.file == "" {
				f.file = stripLineCol(string(bytes.TrimSpace(t[3:])))
			}
		case inBT && len(t) > 0 && isDigit(t[0]):
			if c := bytes.Index(t, []byte(": ")); c > 0 {
				fn := string(bytes.TrimSpace(t[c+2:]))
				if k := strings.LastIndex(fn, "::h"); k > 0 && len(fn)-k == 19 { // symbol hash
					fn = fn[:k]
				}
				s.frames = append(s.frames, frame{fn: fn})
			}
		case !inBT && s.msg == "" && len(t) > 0:
			s.msg = string(bytes.TrimSpace(l))
		}
	}
	if len(s.frames) == 0 && at != "" {
		s.frames = append(s.frames, frame{file: stripLineCol(at)})
	}
}

// ---- Dart ----

func parseDart(p *parsed, lines [][]byte) {
	p.lang = LangDart
	s := p.newSeg("", "")
	header := true
	for _, l := range lines {
		t := trimSpaceLeft(l)
		if isHashFrame(l) {
			header = false
			s.frames = append(s.frames, parseParenFrame(skipHashIndex(l)))
			continue
		}
		if !header || hasPrefix(t, "Unhandled exception:") || len(t) == 0 {
			continue
		}
		if s.typ == "" && s.msg == "" {
			typ, msg := splitTypeMsg(t)
			if typ == "" {
				if i := bytes.Index(t, []byte("Instance of '")); i >= 0 {
					rest := t[i+13:]
					if j := bytes.IndexByte(rest, '\''); j > 0 {
						typ = string(rest[:j])
						msg = ""
					}
				}
			}
			if typ == "" {
				typ = "UnhandledException"
			}
			s.typ, s.msg = typ, msg
		}
	}
}

func skipHashIndex(l []byte) []byte {
	i := 1
	for i < len(l) && isDigit(l[i]) {
		i++
	}
	return bytes.TrimSpace(l[i:])
}

// parseParenFrame parses "fn (location)" and "fn(location)".
func parseParenFrame(t []byte) frame {
	t = bytes.TrimSpace(t)
	if len(t) > 0 && t[len(t)-1] == ')' {
		if i := bytes.LastIndexByte(t, '('); i > 0 {
			loc := t[i+1 : len(t)-1]
			return frame{fn: string(bytes.TrimSpace(t[:i])), file: stripLineCol(string(loc))}
		}
	}
	return frame{fn: string(t)}
}

// ---- PHP ----

func parsePHP(p *parsed, lines [][]byte) {
	p.lang = LangPHP
	p.rootFirst = true
	var cur *segment
	for _, l := range lines {
		t := trimSpaceLeft(l)
		switch {
		case isHashFrame(l):
			if cur == nil {
				cur = p.newSeg("", "")
			}
			body := skipHashIndex(l)
			if hasPrefix(body, "{main}") {
				continue
			}
			f := frame{}
			if k := bytes.Index(body, []byte("): ")); k >= 0 {
				if o := bytes.LastIndexByte(body[:k], '('); o >= 0 {
					f.file = string(body[:o])
				}
				body = body[k+3:]
			} else if k := bytes.Index(body, []byte("]: ")); k >= 0 {
				body = body[k+3:]
			}
			if o := bytes.IndexByte(body, '('); o >= 0 {
				body = body[:o]
			}
			f.fn = string(body)
			cur.frames = append(cur.frames, f)
		case bytes.Contains(l, []byte("exception '")):
			i := bytes.Index(l, []byte("exception '")) + 11
			rest := l[i:]
			j := bytes.IndexByte(rest, '\'')
			if j < 0 {
				continue
			}
			typ := string(rest[:j])
			msg := ""
			if k := bytes.Index(rest, []byte("with message '")); k >= 0 {
				m := rest[k+14:]
				if e := bytes.LastIndex(m, []byte("' in ")); e >= 0 {
					m = m[:e]
				}
				msg = string(m)
			}
			cur = p.newSeg(typ, msg)
		case bytes.Contains(l, []byte("Uncaught ")) || hasPrefix(t, "Next "):
			var rest []byte
			if k := bytes.Index(l, []byte("Uncaught ")); k >= 0 {
				rest = l[k+9:]
			} else {
				rest = t[5:]
			}
			typ, msg := splitTypeMsg(rest)
			if k := strings.LastIndex(msg, " in /"); k >= 0 {
				msg = msg[:k]
			}
			cur = p.newSeg(typ, msg)
		}
	}
}

// ---- Java, .NET, JavaScript, Ruby ----

func parseGeneric(p *parsed, lines [][]byte) {
	p.lang = guessGenericLang(lines)
	switch p.lang {
	case LangRuby:
		parseRuby(p, lines)
		return
	case LangDotNet:
		parseDotNet(p, lines)
		return
	}
	var cur *segment
	for i, l := range lines {
		t := trimSpaceLeft(l)
		switch {
		case i == 0:
			cur = p.newSeg(headerTypeMsg(l))
			if fs, ok := frameStart(l, t, nil); ok && fs == kindGeneric {
				// a frame without a header (lookback with no usable previous line)
				cur.typ, cur.msg = "", ""
				cur.frames = append(cur.frames, parseAtFrame(t, p.lang))
			}
		case hasPrefix(t, "Caused by:"):
			cur = p.newSeg(headerTypeMsg(t[10:]))
		case hasPrefix(t, "Suppressed:"):
			cur = &segment{} // suppressed exceptions are not part of the chain
		case hasPrefix(t, "at ") || hasPrefix(t, "eval at "):
			cur.frames = append(cur.frames, parseAtFrame(t, p.lang))
		}
	}
}

func headerTypeMsg(l []byte) (string, string) {
	if typ, msg, _, ok := findTyped(l, true); ok { // "Error: java.net.X: msg" is an X
		return string(typ), string(msg)
	}
	if typ, msg, _, ok := findTyped(l, false); ok {
		return string(typ), string(msg)
	}
	t := bytes.TrimSpace(l)
	if typ, msg := splitTypeMsg(t); typ != "" {
		return typ, msg
	}
	return "", string(t)
}

func guessGenericLang(lines [][]byte) string {
	js, java, net, ruby := 0, 0, 0, 0
	for _, l := range lines {
		t := trimSpaceLeft(l)
		switch {
		case isRubyFrame(t) || hasPrefix(t, "from ") && bytes.Contains(t, []byte(":in ")):
			ruby++
		case hasPrefix(t, "at ") || hasPrefix(t, "eval at "):
			switch {
			case containsAny(t, ".java:", "Native Method", "Unknown Source", ".kt:", ".scala:", ".groovy:", "(<generated>)"):
				java++
			case containsAny(t, ":line ", "<filename unknown>", ".cs:", "[0x"):
				net++
			case containsAny(t, ".js:", ".ts:", ".mjs:", ".cjs:", "<anonymous>", "node:", "(native)", "eval at", ".jsx:", ".tsx:"):
				js++
			}
		case containsAny(t, "common frames omitted", "Caused by:"):
			java++
		case containsAny(t, "--- End of ", "---> "):
			net++
		}
	}
	switch {
	case ruby > 0 && ruby >= java && ruby >= js:
		return LangRuby
	case net > java && net >= js:
		return LangDotNet
	case java > 0 && java >= js:
		return LangJava
	case js > 0:
		return LangJS
	}
	if len(lines) > 0 {
		h := lines[0]
		if bytes.Contains(h, []byte("System.")) {
			return LangDotNet
		}
		typ, _, _, ok := findTyped(h, true)
		if !ok {
			typ, _, _, ok = findTyped(h, false)
		}
		if ok && bytes.IndexByte(typ, '.') > 0 {
			return LangJava
		}
	}
	return LangUnknown
}

func containsAny(b []byte, subs ...string) bool {
	for _, s := range subs {
		if bytes.Contains(b, []byte(s)) {
			return true
		}
	}
	return false
}

// parseAtFrame parses "at fn(file:line)" (Java), "at fn (file:line:col)" and "at file:line:col" (JS).
func parseAtFrame(t []byte, lang string) frame {
	if hasPrefix(t, "eval at ") {
		t = t[8:]
		if i := bytes.Index(t, []byte(" (")); i > 0 {
			return frame{fn: cleanJSFn(string(t[:i]))}
		}
	}
	t = bytes.TrimSpace(bytes.TrimPrefix(t, []byte("at ")))
	t = bytes.TrimSuffix(t, []byte(" {"))
	// logback/log4j2 packaging data: "at a.B.c(B.java:1) ~[app.jar:1.2.3]"
	if i := bytes.LastIndex(t, []byte(") ")); i > 0 && t[len(t)-1] == ']' {
		t = t[:i+1]
	}
	if len(t) > 0 && t[len(t)-1] == ')' {
		if i := bytes.IndexByte(t, '('); i > 0 {
			fn := string(bytes.TrimSpace(t[:i]))
			loc := string(t[i+1 : len(t)-1])
			if lang == LangJava {
				if k := strings.LastIndexByte(fn, '/'); k >= 0 { // java.base/java.lang.Thread.run
					fn = fn[k+1:]
				}
				return frame{fn: fn, file: stripLineCol(loc)}
			}
			return frame{fn: cleanJSFn(fn), file: stripLineCol(loc)}
		}
	}
	if lang == LangJS && (bytes.Contains(t, []byte(":")) || bytes.IndexByte(t, '/') >= 0) {
		return frame{file: stripLineCol(string(t))}
	}
	return frame{fn: cleanJSFn(string(t))}
}

func cleanJSFn(fn string) string {
	fn = strings.TrimPrefix(fn, "async ")
	fn = strings.TrimPrefix(fn, "new ")
	if i := strings.Index(fn, " [as "); i >= 0 {
		fn = fn[:i]
	}
	return strings.TrimSpace(fn)
}

// stripLineCol removes ":12:3", ":12", a query string and a "file://" scheme.
func stripLineCol(loc string) string {
	loc = strings.TrimPrefix(loc, "file://")
	if i := strings.IndexByte(loc, '?'); i >= 0 {
		loc = loc[:i]
	}
	for range 2 {
		i := strings.LastIndexByte(loc, ':')
		if i < 0 {
			break
		}
		num := loc[i+1:]
		if num == "" || strings.Trim(num, "0123456789") != "" {
			break
		}
		loc = loc[:i]
	}
	return loc
}

func parseDotNet(p *parsed, lines [][]byte) {
	p.lang = LangDotNet
	// Segments in the order printed: outer first, inner exceptions after " ---> ".
	innerDone := false
	for i, l := range lines {
		t := trimSpaceLeft(l)
		switch {
		case i == 0 || hasPrefix(t, "---> "):
			text := l
			if i > 0 {
				text = t[5:]
			}
			for _, part := range bytes.Split(text, []byte(" ---> ")) {
				p.newSeg(headerTypeMsg(part))
			}
		case hasPrefix(t, "--- End of inner exception"):
			innerDone = true
		case hasPrefix(t, "at "):
			body := t[3:]
			fn := body
			if k := bytes.IndexByte(body, '('); k > 0 {
				fn = bytes.TrimSpace(body[:k])
			}
			file := ""
			if k := bytes.LastIndex(body, []byte(" in ")); k >= 0 {
				file = string(body[k+4:])
				if j := strings.Index(file, ":line "); j >= 0 {
					file = file[:j]
				}
				file = stripLineCol(file)
			}
			// Frames printed before "--- End of inner exception stack trace ---" belong to
			// the innermost exception, the ones after to the outer.
			target := &p.segs[len(p.segs)-1]
			if innerDone {
				target = &p.segs[0]
			}
			target.frames = append(target.frames, frame{fn: string(fn), file: file})
		}
	}
}

func parseRuby(p *parsed, lines [][]byte) {
	p.lang = LangRuby
	s := p.newSeg("", "")
	for i, l := range lines {
		t := trimSpaceLeft(l)
		t = bytes.TrimPrefix(t, []byte("from "))
		if i == 0 {
			typ, msg, _, ok := findTyped(l, false)
			if ok {
				s.typ, s.msg = string(typ), string(msg)
			} else if k := bytes.LastIndex(l, []byte(" (")); k > 0 && bytes.HasSuffix(bytes.TrimSpace(l), []byte(")")) {
				e := bytes.LastIndexByte(l, ')')
				s.typ = string(l[k+2 : e])
				s.msg = string(rubyHeaderMsg(l[:k]))
			} else {
				s.typ, s.msg = headerTypeMsg(l)
			}
		}
		if isRubyFrame(t) {
			s.frames = append(s.frames, parseRubyFrame(t))
		}
	}
}

// rubyHeaderMsg takes the message of "x.rb:2:in 'm': message".
func rubyHeaderMsg(b []byte) []byte {
	if k := bytes.Index(b, []byte("': ")); k >= 0 && isRubyFrame(trimSpaceLeft(b)) {
		return b[k+3:]
	}
	return bytes.TrimSpace(b)
}

func parseRubyFrame(t []byte) frame {
	i := bytes.Index(t, []byte(".rb:"))
	f := frame{file: string(t[:i+3])}
	k := bytes.Index(t, []byte(":in "))
	if k < 0 {
		return f
	}
	m := t[k+4:]
	if len(m) > 0 && (m[0] == '`' || m[0] == '\'') {
		m = m[1:]
		if e := bytes.IndexByte(m, '\''); e >= 0 {
			m = m[:e]
		}
	}
	f.fn = string(m)
	return f
}

// findTyped finds an exception type in a line: "pkg.SomeException: msg", "SomeError"
// at the end of the line, Rails "NoMethodError (msg):", Ruby "... (ZeroDivisionError)".
// strict rejects a bare "Exception"/"Error" and prose mentions.
func findTyped(line []byte, strict bool) (typ, msg []byte, pos int, ok bool) {
	line = bytes.TrimRight(line, " \t\r")
	from := 0
	for from < len(line) {
		rest := line[from:]
		a := bytes.Index(rest, []byte("Exception"))
		b := bytes.Index(rest, []byte("Error"))
		p, n := a, 9
		if b >= 0 && (a < 0 || b < a) {
			p, n = b, 5
		}
		if p < 0 {
			return nil, nil, 0, false
		}
		p += from
		j := p + n
		from = j
		if j < len(line) && isIdentByte(line[j]) {
			continue
		}
		s := p
		for s > 0 && (isIdentByte(line[s-1]) || line[s-1] == '.' || line[s-1] == '\\') {
			s--
		}
		for s < p && (line[s] == '.' || line[s] == '\\') {
			s++
		}
		bare := s == p
		tail := line[j:]
		lead := len(line) - len(trimSpaceLeft(line))
		switch {
		case len(tail) > 0 && tail[0] == ':':
			if strict && bare {
				continue
			}
			if strict && j+1 < len(line) && line[j+1] != ' ' && line[j+1] != '\t' { // "Error:123", URLs
				continue
			}
			return line[s:j], bytes.TrimSpace(tail[1:]), s, true
		case len(tail) == 0:
			if strict && (bare || s != lead && bytes.IndexByte(line[s:j], '.') < 0) {
				continue
			}
			return line[s:j], nil, s, true
		case tail[0] == ')' && len(tail) == 1 && s > 0 && line[s-1] == '(':
			if strict && bare {
				continue
			}
			m := rubyHeaderMsg(bytes.TrimRight(line[:s-1], " "))
			return line[s:j], m, s, true
		case hasPrefix(tail, " (") && s == lead:
			if strict && bare {
				continue
			}
			m := tail[2:]
			m = bytes.TrimSuffix(m, []byte(":"))
			m = bytes.TrimSuffix(m, []byte(")"))
			return line[s:j], m, s, true
		case hasPrefix(tail, " ---> "):
			return line[s:j], nil, s, true
		case tail[0] == '[' && tail[len(tail)-1] == ']' && !bare: // Elasticsearch: IndexNotFoundException[no such index]
			return line[s:j], tail[1 : len(tail)-1], s, true
		}
	}
	return nil, nil, 0, false
}

package logscan

import (
	"bytes"
	"encoding/json"
	"strings"
)

// Field names of exceptions in JSON logs: ECS (error.*), OpenTelemetry (exception.*),
// pino/bunyan (err.*), python-json-logger (exc_info), logstash-logback-encoder
// (stack_trace) and common variants. Dotted names match both a literal dotted key and
// nested objects.
var (
	jsonTypeKeys  = []string{"error.type", "exception.type", "err.type", "error.kind", "exception.class", "error.class", "exc_type"}
	jsonMsgKeys   = []string{"error.message", "exception.message", "err.message", "error.msg"}
	jsonStackKeys = []string{"error.stack_trace", "exception.stacktrace", "exception.stack_trace", "err.stack",
		"error.stack", "error.stacktrace", "exc_info", "exc_text", "stack_trace", "stacktrace", "stack", "traceback",
		"exception"}
	jsonErrKeys  = []string{"error", "err"}
	jsonTextKeys = []string{"message", "msg", "log", "@message", "MESSAGE", "text"}
	jsonNests    = []string{"attributes", "fields", "@fields", "extra"}
)

// handleJSON handles a line starting with '{'; hit tells whether one of jsonTokens occurs
// in it. It returns false when the line is not a JSON object (it is then treated as text).
func (p *lineProc) handleJSON(line []byte, hit bool) bool {
	if !p.det.active && !hit {
		t := bytes.TrimRight(line, " \t\r")
		if len(t) > 1 && t[len(t)-1] == '}' {
			p.jsonPrev = p.jsonPrev[:0]
			return true
		}
		return false
	}
	var m map[string]any
	if err := json.Unmarshal(line, &m); err != nil {
		p.badJSON++
		return false
	}
	p.handleRecord(m)
	return true
}

// handleRecord extracts an exception from one decoded JSON record.
func (p *lineProc) handleRecord(m map[string]any) {
	d := p.det
	typ := firstString(m, jsonTypeKeys)
	msg := firstString(m, jsonMsgKeys)
	stack := firstString(m, jsonStackKeys)
	if stack == "true" || stack == "True" || stack == "1" {
		stack = ""
	}
	if strings.TrimSpace(stack) != "" {
		if msg == "" {
			msg = firstString(m, jsonErrKeys) // zap: "error": "message"
		}
		d.end()
		d.block(stack, typ, msg)
		return
	}
	if typ != "" {
		d.end()
		d.simple(typ, msg)
		return
	}
	text := firstString(m, jsonTextKeys)
	text = strings.TrimRight(text, "\r\n")
	if text == "" {
		d.end()
		p.jsonPrev = p.jsonPrev[:0]
		return
	}
	if strings.IndexByte(text, '\n') >= 0 {
		// A whole multi-line message: its own unit.
		d.end()
		var prev []byte
		for _, l := range strings.Split(text, "\n") {
			lb := []byte(l)
			d.feed(lb, prev)
			prev = lb
		}
		d.end()
		p.jsonPrev = p.jsonPrev[:0]
		return
	}
	// One line of a trace split across records (container runtimes do this).
	lb := []byte(text)
	d.feed(lb, p.jsonPrev)
	p.jsonPrev = append(p.jsonPrev[:0], lb[:min(len(lb), maxPrevLine)]...)
}

func firstString(m map[string]any, keys []string) string {
	for _, k := range keys {
		if s := asString(lookup(m, k)); s != "" {
			return s
		}
	}
	for _, n := range jsonNests {
		if sub, ok := m[n].(map[string]any); ok {
			for _, k := range keys {
				if s := asString(lookup(sub, k)); s != "" {
					return s
				}
			}
		}
	}
	return ""
}

func lookup(m map[string]any, key string) any {
	if v, ok := m[key]; ok {
		return v
	}
	if strings.IndexByte(key, '.') < 0 {
		return nil
	}
	var cur any = m
	for part := range strings.SplitSeq(key, ".") {
		mm, ok := cur.(map[string]any)
		if !ok {
			return nil
		}
		if cur, ok = mm[part]; !ok {
			return nil
		}
	}
	return cur
}

func asString(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case []any:
		parts := make([]string, 0, len(x))
		for _, e := range x {
			if s, ok := e.(string); ok {
				parts = append(parts, s)
			}
		}
		return strings.Join(parts, "\n")
	}
	return ""
}

// block emits one event made of a whole stack text (a JSON stack field).
func (d *Detector) block(text, typ, msg string) {
	d.end()
	lines := strings.Split(strings.TrimRight(text, "\r\n"), "\n")
	kind := kindGeneric
	if len(lines) > 1 && goFileNext(bytesLines(lines[:2]), 0) {
		kind = kindGo // zap's stacktrace, runtime/debug.Stack
	}
	for _, l := range lines {
		lb := trimCR([]byte(l))
		t := trimSpaceLeft(lb)
		if len(t) == 0 {
			continue
		}
		if k, _, ok := classifyHeader(lb, t); ok && kind != kindGo {
			kind = k
		} else if k, ok := frameStart(lb, t, nil); ok && kind != kindGo {
			kind = k
		}
		break
	}
	d.begin(kind, true)
	for _, l := range lines {
		d.add(trimCR([]byte(l)))
	}
	d.hintType, d.hintMsg = typ, msg
	d.end()
}

// simple emits an event known only by type and message.
func (d *Detector) simple(typ, msg string) {
	d.end()
	var p parsed
	p.lang = langOfType(typ)
	p.newSeg(typ, msg)
	d.ev = Event{}
	finishEvent(&p, d.inApp, &d.ev)
	d.ev.Lines = 1
	if d.emit != nil {
		d.emit(&d.ev)
	}
}

func langOfType(t string) string {
	switch {
	case strings.HasPrefix(t, "System.") || strings.HasPrefix(t, "Microsoft."):
		return LangDotNet
	case strings.HasPrefix(t, "java.") || strings.HasPrefix(t, "javax.") || strings.HasPrefix(t, "org.") ||
		strings.HasPrefix(t, "com.") || strings.HasPrefix(t, "io."):
		return LangJava
	}
	return LangUnknown
}

func bytesLines(ss []string) [][]byte {
	out := make([][]byte, len(ss))
	for i, s := range ss {
		out[i] = []byte(s)
	}
	return out
}

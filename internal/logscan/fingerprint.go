package logscan

import (
	"crypto/sha256"
	"encoding/hex"
	"strings"
)

// FingerprintVersion is the version of the fingerprint algorithm. A change to what goes
// into the hash is a new version.
const FingerprintVersion = 1

// topFrames is how many in-app frames go into a fingerprint.
const topFrames = 3

// frameworkPrefixes are function/class prefixes of well-known framework and runtime code,
// per language, skipped when no in_app prefixes are configured.
var frameworkPrefixes = map[string][]string{
	LangJava: {"java.", "javax.", "jdk.", "sun.", "com.sun.", "jakarta.", "kotlin.", "kotlinx.", "scala.",
		"org.springframework.", "org.apache.", "org.hibernate.", "org.eclipse.jetty.", "io.netty.", "reactor.",
		"org.junit.", "com.google.common.", "com.fasterxml.", "io.undertow.", "org.glassfish.", "groovy.",
		"org.codehaus.groovy.", "io.micrometer.", "com.zaxxer."},
	LangDotNet: {"System.", "Microsoft.", "Mono.", "Newtonsoft.", "NUnit.", "Xunit."},
	LangGo: {"runtime.", "net/http.", "net.", "panic", "testing.", "reflect.", "sync.", "internal/", "os.",
		"io.", "syscall.", "encoding/", "database/sql.", "github.com/gin-gonic/", "google.golang.org/grpc."},
	LangJS: {"process.", "Module.", "node:", "internal/", "processTicksAndRejections", "Layer.handle", "next (", "Function.Module"},
	LangRust: {"std::", "core::", "alloc::", "__rustc::", "rust_begin_unwind", "__rust_", "_start", "__libc_start",
		"tokio::", "futures::", "<core::", "<alloc::", "<std::"},
	LangPython: {},
	LangRuby:   {},
	LangPHP:    {},
	LangDart:   {"_startIsolate", "_RawReceivePortImpl", "_rootRun", "_CustomZone", "_Future", "_microtaskLoop"},
}

// frameworkPathMarks are file path parts of framework and runtime code.
var frameworkPathMarks = []string{
	"/site-packages/", "/dist-packages/", "/lib/python", "<frozen ", "/usr/lib/python", "\\lib\\",
	"/usr/local/go/src/", "/go/pkg/mod/", "/usr/lib/go", "GOROOT/",
	"node_modules/", "node:", "internal/",
	"/gems/", "/rubygems/", "<internal:", "/ruby/", ") lib/",
	"/vendor/", "[internal function]",
	"dart:", "/pub-cache/", "package:flutter/",
	"<filename unknown>",
	"/rustc/", "/.cargo/registry/",
}

// finishEvent computes type, message, location and fingerprint.
func finishEvent(p *parsed, inApp []string, ev *Event) {
	if p.lang == "" {
		p.lang = LangUnknown
	}
	outer := p.outer()
	root := p.root()
	outer.typ = strings.TrimSpace(validLabel(normalizeType(outer.typ), 200))
	root.typ = strings.TrimSpace(validLabel(normalizeType(root.typ), 200))
	if outer.typ == "" {
		outer.typ = "unknown"
	}
	if root.typ == "" {
		root.typ = outer.typ
	}
	frames := selectFrames(root, p, inApp)
	if len(frames) == 0 && root != outer {
		frames = selectFrames(outer, p, inApp)
	}
	if len(frames) == 0 {
		for i := range p.segs {
			if frames = selectFrames(&p.segs[i], p, inApp); len(frames) > 0 {
				break
			}
		}
	}

	ev.Language = p.lang
	ev.Type = validLabel(normalizeType(outer.typ), 200)
	ev.Message = MaskMessage(outer.msg)
	if ev.Message == "" && root != outer {
		ev.Message = MaskMessage(root.msg)
	}
	ev.Location = ""
	if len(frames) > 0 {
		ev.Location = validLabel(location(p.lang, frames[0]), 200)
	}

	h := sha256.New()
	write := func(s string) {
		h.Write([]byte(s))
		h.Write([]byte{0})
	}
	write("v1")
	write(p.lang)
	write(normalizeType(outer.typ))
	write(normalizeType(root.typ))
	if len(frames) > 0 {
		for _, f := range frames {
			write(normalizeFn(p.lang, f.fn))
			write(moduleOf(p.lang, f))
		}
	}
	if len(frames) == 0 || genericType(outer.typ) {
		m := maskFull(outer.msg)
		if root != outer {
			m += "\x00" + maskFull(root.msg)
		}
		if len(m) > 200 {
			m = m[:200]
		}
		write(m)
	}
	var sum [sha256.Size]byte
	ev.Fingerprint = hex.EncodeToString(h.Sum(sum[:0])[:8])
}

// selectFrames returns up to topFrames "top" frames of s: in-app ones when in_app
// prefixes match, else non-framework ones, else the top frames as printed.
func selectFrames(s *segment, p *parsed, inApp []string) []frame {
	if len(s.frames) == 0 {
		return nil
	}
	ordered := s.frames
	if p.recentLast {
		ordered = make([]frame, len(s.frames))
		for i, f := range s.frames {
			ordered[len(s.frames)-1-i] = f
		}
	}
	pick := func(keep func(frame) bool) []frame {
		var out []frame
		for _, f := range ordered {
			if f.fn == "" && f.file == "" {
				continue
			}
			if keep(f) {
				out = append(out, f)
				if len(out) == topFrames {
					break
				}
			}
		}
		return out
	}
	if len(inApp) > 0 {
		if out := pick(func(f frame) bool { return matchesPrefix(f, inApp) }); len(out) > 0 {
			return out
		}
	}
	if out := pick(func(f frame) bool { return !isFramework(p.lang, f) }); len(out) > 0 {
		return out
	}
	return pick(func(frame) bool { return true })
}

func matchesPrefix(f frame, prefixes []string) bool {
	for _, pre := range prefixes {
		if strings.HasPrefix(f.fn, pre) || strings.HasPrefix(f.file, pre) || strings.Contains(f.file, "/"+pre) {
			return true
		}
	}
	return false
}

func isFramework(lang string, f frame) bool {
	for _, pre := range frameworkPrefixes[lang] {
		if strings.HasPrefix(f.fn, pre) {
			return true
		}
	}
	for _, m := range frameworkPathMarks {
		if strings.Contains(f.file, m) {
			return true
		}
	}
	return false
}

// location renders a frame for the `location` label.
func location(lang string, f frame) string {
	fn := normalizeFn(lang, f.fn)
	switch lang {
	case LangPython:
		mod := strings.TrimSuffix(baseName(f.file), ".py")
		if mod != "" && fn != "" {
			return mod + "." + fn
		}
	case LangJava, LangDotNet, LangGo:
		if fn != "" {
			return fn
		}
	}
	if fn == "" {
		return baseName(f.file)
	}
	if strings.ContainsAny(fn, ".#") || strings.Contains(fn, "::") || strings.Contains(fn, "->") || strings.Contains(fn, "\\") || f.file == "" {
		return fn
	}
	return baseName(f.file) + ":" + fn
}

// moduleOf is the frame's module for the fingerprint: the file's base name (no
// directories: they differ between hosts, versions and deployments).
func moduleOf(lang string, f frame) string {
	switch lang {
	case LangJava, LangDotNet: // the class is in the function name; the file adds nothing
		return ""
	}
	return normalizeFn(lang, baseName(f.file))
}

func baseName(p string) string {
	p = strings.TrimRight(p, "/\\")
	if i := strings.LastIndexAny(p, "/\\"); i >= 0 {
		return p[i+1:]
	}
	return p
}

func normalizeType(t string) string {
	t = strings.TrimSpace(t)
	t = strings.TrimPrefix(t, "\\")
	return t
}

// normalizeFn removes generated-code noise: lambda and anonymous-class numbers, proxy and
// accessor ids, Go closure numbers, hex addresses, .NET compiler-generated ids.
func normalizeFn(lang, fn string) string {
	if fn == "" {
		return fn
	}
	if i := strings.Index(fn, "$$"); i > 0 { // Spring CGLIB, ByteBuddy, Lambda$$
		rest := fn[i+2:]
		fn = fn[:i]
		if j := strings.LastIndexByte(rest, '.'); j >= 0 {
			fn += "." + rest[j+1:]
		}
	}
	var b strings.Builder
	b.Grow(len(fn))
	for i := 0; i < len(fn); i++ {
		c := fn[i]
		if c == '0' && i+1 < len(fn) && (fn[i+1] == 'x' || fn[i+1] == 'X') {
			j := i + 2
			for j < len(fn) && isHexByte(fn[j]) {
				j++
			}
			i = j - 1
			continue
		}
		if isDigit(c) {
			j := i
			for j < len(fn) && isDigit(fn[j]) {
				j++
			}
			prev := b.String()
			if i == 0 || strings.HasSuffix(prev, "$") || strings.HasSuffix(prev, "_") || lang == LangGo && strings.HasSuffix(prev, "func") ||
				strings.HasSuffix(prev, "Accessor") || strings.HasSuffix(prev, "Proxy") || strings.HasSuffix(prev, "proxy") || strings.HasSuffix(prev, "lambda") ||
				strings.HasSuffix(prev, "Lambda") || strings.HasSuffix(prev, "anonymous") || strings.HasSuffix(prev, "/") ||
				strings.HasSuffix(prev, "-") || j-i >= 4 {
				i = j - 1
				continue
			}
			b.WriteString(fn[i:j])
			i = j - 1
			continue
		}
		b.WriteByte(c)
	}
	out := b.String()
	// lambda$foo$ -> lambda$foo
	out = strings.ReplaceAll(out, "$.", ".")
	out = strings.TrimRight(out, "$")
	return out
}

// genericType reports a type that says nothing about the bug (the message has to).
func genericType(t string) bool {
	switch t {
	case "unknown", "UnhandledException", "goroutine dump":
		return true
	}
	return false
}

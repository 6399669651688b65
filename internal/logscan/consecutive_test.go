package logscan

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestConsecutiveTracebacks: two traces of the same language back to back, with no line
// between them, are two events; only the chain markers join traces into one.
func TestConsecutiveTracebacks(t *testing.T) {
	py := "Traceback (most recent call last):\n  File \"/app/a.py\", line 3, in <module>\n    f()\n  File \"/app/a.py\", line 2, in f\n    raise KeyError('x')\nKeyError: 'x'\n"
	pyChained := "Traceback (most recent call last):\n  File \"/app/b.py\", line 2, in g\n    d['k']\nKeyError: 'k'\n\n" +
		"During handling of the above exception, another exception occurred:\n\n" +
		"Traceback (most recent call last):\n  File \"/app/b.py\", line 4, in g\n    raise ValueError('v')\nValueError: v\n"
	pyCause := strings.Replace(pyChained, "During handling of the above exception, another exception occurred:", "The above exception was the direct cause of the following exception:", 1)
	java := "java.lang.IllegalStateException: a\n\tat com.acme.A.run(A.java:1)\n\tat com.acme.B.call(B.java:2)\n"
	javaCaused := "java.lang.RuntimeException: outer\n\tat com.acme.C.run(C.java:1)\nCaused by: java.io.IOException: inner\n\tat com.acme.D.read(D.java:2)\n\t... 1 more\n"
	dotnet := "System.InvalidOperationException: a\n   at Acme.A.Run() in /src/A.cs:line 1\n"
	dotnetInner := "System.Exception: outer ---> System.IO.IOException: inner\n   at Acme.D.Read() in /src/D.cs:line 2\n   --- End of inner exception stack trace ---\n   at Acme.C.Run() in /src/C.cs:line 1\n"
	cases := []struct {
		name, text string
		events     int
		types      []string
	}{
		{"python twice", py + py, 2, []string{"KeyError", "KeyError"}},
		{"python three times", py + py + py, 3, nil},
		{"python chained (during handling)", pyChained, 1, []string{"ValueError"}},
		{"python chained (direct cause)", pyCause, 1, []string{"ValueError"}},
		{"python chained then plain", pyChained + py, 2, []string{"ValueError", "KeyError"}},
		{"python plain then chained", py + pyChained, 2, []string{"KeyError", "ValueError"}},
		{"java twice", java + java, 2, nil},
		{"java caused by then plain", javaCaused + java, 2, []string{"java.lang.RuntimeException", "java.lang.IllegalStateException"}},
		{"dotnet twice", dotnet + dotnet, 2, nil},
		{"dotnet inner then plain", dotnetInner + dotnet, 2, []string{"System.Exception", "System.InvalidOperationException"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			for mode, evs := range map[string][]Event{"detector": detectAll(t, c.text), "pipeline": scanAll(t, c.text, FormatText)} {
				if len(evs) != c.events {
					t.Fatalf("%s: %d events, want %d: %+v", mode, len(evs), c.events, evs)
				}
				for i, typ := range c.types {
					if evs[i].Type != typ {
						t.Errorf("%s: event %d type %q, want %q", mode, i, evs[i].Type, typ)
					}
				}
			}
		})
	}
}

// pkgErrorsStack is what github.com/pkg/errors prints for fmt.Printf("%+v", err) of a
// wrapped error: the cause's message and stack, then the wrap message and its stack.
const pkgErrorsStack = `2026-05-01 10:00:00 ERROR request failed
open /etc/app.conf: no such file or directory
github.com/acme/shop/config.Load
	/src/shop/config/load.go:42
github.com/acme/shop/cmd.run
	/src/shop/cmd/run.go:17
main.main
	/src/shop/main.go:9
runtime.main
	/usr/local/go/src/runtime/proc.go:283
runtime.goexit
	/usr/local/go/src/runtime/asm_amd64.s:1700
loading configuration
github.com/acme/shop/cmd.run
	/src/shop/cmd/run.go:18
main.main
	/src/shop/main.go:9
runtime.main
	/usr/local/go/src/runtime/proc.go:283
runtime.goexit
	/usr/local/go/src/runtime/asm_amd64.s:1700
2026-05-01 10:00:01 INFO retrying
`

func TestGoPkgErrorsStack(t *testing.T) {
	other := strings.ReplaceAll(pkgErrorsStack, "config.Load\n\t/src/shop/config/load.go:42", "db.Open\n\t/src/shop/db/open.go:7")
	text := pkgErrorsStack + pkgErrorsStack + other
	for mode, evs := range map[string][]Event{"detector": detectAll(t, text), "pipeline": scanAll(t, text, FormatAuto)} {
		t.Run(mode, func(t *testing.T) {
			checkGroups(t, evs, "AAB")
			if evs[0].Language != LangGo || evs[0].Location != "github.com/acme/shop/config.Load" || evs[2].Location != "github.com/acme/shop/db.Open" {
				t.Errorf("events: %+v", evs)
			}
			// From the first function line (the message before it is not part of the event)
			// through both stacks and the wrap message between them.
			if evs[0].Lines != 19 {
				t.Errorf("first event has %d lines, want 19 (both stacks and the wrap message)", evs[0].Lines)
			}
		})
	}
}

// TestRealGoPkgErrorsStyle runs a Go program with a small pkg/errors-style wrapper
// (written here: no new dependency) that prints "%+v" stacks as pkg/errors does.
func TestRealGoPkgErrorsStyle(t *testing.T) {
	t.Parallel()
	goTool := needTool(t, "go")
	dir := t.TempDir()
	src := `package main

import (
	"fmt"
	"os"
	"runtime"
	"strconv"
)

type stackErr struct {
	msg   string
	cause error
	pcs   []uintptr
}

func (e *stackErr) Error() string { return e.msg }

// Format prints like github.com/pkg/errors with %+v: message (or the cause first), then
// "function\n\tfile:line" per frame.
func (e *stackErr) Format(s fmt.State, verb rune) {
	if e.cause != nil {
		fmt.Fprintf(s, "%+v\n", e.cause)
	}
	fmt.Fprint(s, e.msg)
	fr := runtime.CallersFrames(e.pcs)
	for {
		f, more := fr.Next()
		fmt.Fprintf(s, "\n%s\n\t%s:%d", f.Function, f.File, f.Line)
		if !more {
			break
		}
	}
}

func newErr(msg string, cause error) error {
	pcs := make([]uintptr, 32)
	n := runtime.Callers(2, pcs)
	return &stackErr{msg: msg, cause: cause, pcs: pcs[:n]}
}

func parse(s string) error {
	if _, err := strconv.Atoi(s); err != nil {
		return newErr("parse "+s+": not a number", nil)
	}
	return nil
}

func load(s string) error {
	if err := parse(s); err != nil {
		return newErr("loading order", err)
	}
	return nil
}

func open(s string) error { return newErr("open "+s+": gone", nil) }

func main() {
	var err error
	if os.Args[1] == "load" {
		err = load(os.Args[2])
	} else {
		err = open(os.Args[2])
	}
	fmt.Printf("%+v\n", err)
}
`
	if err := os.WriteFile(filepath.Join(dir, "main.go"), []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "go.mod"), []byte("module example.com/app\n\ngo 1.22\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	build := exec.Command(goTool, "build", "-o", "app", ".")
	build.Dir = dir
	build.Env = append(os.Environ(), "GOFLAGS=", "GOWORK=off")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	bin := filepath.Join(dir, "app")
	out := runAll(t, dir, []string{bin, "load", "x1"}, []string{bin, "load", "y22"}, []string{bin, "open", "a"})
	evs := checkReal(t, out, LangGo, "AAB")
	if len(evs) == 3 && (evs[0].Location != "main.parse" || evs[2].Location != "main.open" || evs[0].Type != "error") {
		t.Errorf("events: %+v", evs)
	}
}

// TestRealRustPanic runs a panicking Rust program with RUST_BACKTRACE=1 (and without).
func TestRealRustPanic(t *testing.T) { // not parallel: it sets RUST_BACKTRACE
	rustc := needTool(t, "rustc")
	dir := t.TempDir()
	src := `fn inner(xs: &[i32], i: usize) -> i32 { if i > 3 { panic!("bad index {}", i); } xs[i] }
fn main() {
    let a: Vec<String> = std::env::args().collect();
    let i: usize = a[1].parse().unwrap();
    println!("{}", inner(&[1, 2, 3], i));
}
`
	if err := os.WriteFile(filepath.Join(dir, "main.rs"), []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	build := exec.Command(rustc, "-g", "-o", filepath.Join(dir, "app"), filepath.Join(dir, "main.rs"))
	build.Dir = dir
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("rustc: %v\n%s", err, out)
	}
	bin := filepath.Join(dir, "app")
	t.Setenv("RUST_BACKTRACE", "1")
	out := runAll(t, dir, []string{bin, "5"}, []string{bin, "7"}, []string{bin, "x"})
	evs := checkReal(t, out, LangRust, "AAB")
	if len(evs) == 3 && (evs[0].Type != "panic" || evs[0].Location != "main::inner" || evs[2].Location != "main::main" ||
		evs[0].Message != "bad index <num>") {
		t.Errorf("events: %+v", evs)
	}
	t.Setenv("RUST_BACKTRACE", "0")
	out = runAll(t, dir, []string{bin, "5"}, []string{bin, "6"})
	evs = checkReal(t, out, LangRust, "AA")
	if len(evs) == 2 && evs[0].Location != "main.rs" {
		t.Errorf("events without backtrace: %+v", evs)
	}
}

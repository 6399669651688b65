package logscan

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"
)

func checkEvent(t *testing.T, e *Event) {
	t.Helper()
	if len(e.Fingerprint) != 16 || strings.Trim(e.Fingerprint, "0123456789abcdef") != "" {
		t.Fatalf("fingerprint %q", e.Fingerprint)
	}
	for _, s := range []string{e.Type, e.Message, e.Location, e.Language} {
		if !utf8.ValidString(s) || strings.ContainsAny(s, "\n\x00") {
			t.Fatalf("label %q not valid", s)
		}
	}
	if utf8.RuneCountInString(e.Message) > MaxMessageLen {
		t.Fatalf("message too long: %d", utf8.RuneCountInString(e.Message))
	}
	if e.Type == "" || e.Language == "" {
		t.Fatalf("empty type or language: %+v", e)
	}
}

func FuzzDetector(f *testing.F) {
	files, _ := filepath.Glob(filepath.Join("testdata", "*.log"))
	for _, p := range files {
		if b, err := os.ReadFile(p); err == nil {
			f.Add(b)
		}
	}
	f.Add([]byte("panic: x\n\ngoroutine 1 [running]:\nmain.main()\n\t/x.go:1 +0x1\n"))
	f.Add([]byte("Unhandled exception:\n\n\n#0 x (y)\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		check := func(e *Event) { checkEvent(t, e) }
		d := NewDetector(DetectorOptions{MaxEventLines: 50, MaxEventBytes: 4096}, check)
		for _, l := range bytes.Split(data, []byte("\n")) {
			d.Feed(l)
		}
		d.Flush()
		if d.Pending() {
			t.Fatal("pending after flush")
		}
		for _, format := range []int{fmtAuto, fmtText} {
			det := NewDetector(DetectorOptions{InApp: []string{"com."}}, check)
			p := newLineProc(det, format)
			sp := newSplitter(64)
			if err := scanOne(bytes.NewReader(data), sp, p); err != nil {
				t.Fatal(err)
			}
			want := uint64(bytes.Count(data, []byte("\n")))
			if len(data) > 0 && data[len(data)-1] != '\n' {
				want++
			}
			if p.lines != want || p.bytes != uint64(len(data)) || p.off != int64(len(data)) {
				t.Fatalf("lines %d bytes %d off %d, want %d lines %d bytes", p.lines, p.bytes, p.off, want, len(data))
			}
			if s := p.safeOffset(); s < 0 || s > p.off {
				t.Fatalf("safe offset %d", s)
			}
		}
	})
}

func FuzzJSONLine(f *testing.F) {
	f.Add([]byte(`{"error.type":"java.lang.X","error.message":"m 1","error.stack_trace":"java.lang.X: m 1\n\tat a.B.c(B.java:1)"}`))
	f.Add([]byte(`{"attributes":{"exception.type":"ValueError","exception.stacktrace":"Traceback (most recent call last):\n  File \"x.py\", line 1, in f\nValueError: x"}}`))
	f.Add([]byte(`{"exc_info":["Traceback (most recent call last):","  File \"x.py\", line 1, in f","KeyError: 1"]}`))
	f.Add([]byte(`{"log":"\tat com.x.Y.z(Y.java:1)\n"}`))
	f.Add([]byte(`{"msg":"Error: boom\n    at f (/a.js:1:1)"}`))
	f.Add([]byte(`{"error":{"type":"","stack_trace":"\n\n"}}`))
	f.Fuzz(func(t *testing.T, line []byte) {
		check := func(e *Event) { checkEvent(t, e) }
		for _, format := range []int{fmtAuto, fmtJSON} {
			det := NewDetector(DetectorOptions{}, check)
			p := newLineProc(det, format)
			p.processChunk(line)
			p.processChunk([]byte("\n" + string(line) + "\n"))
			det.Flush()
		}
	})
}

// FuzzContainerRecords: arbitrary records in the CRI and Docker json-file envelopes:
// no panic, valid events, logical lines never more than records, resume points within the
// stream.
func FuzzContainerRecords(f *testing.F) {
	f.Add([]byte("2026-05-01T10:00:00.1Z stderr P java.lang.IllegalStateException: a\n2026-05-01T10:00:00.1Z stdout F x\n2026-05-01T10:00:00.1Z stderr F b\n2026-05-01T10:00:00.1Z stderr F \tat a.B.c(B.java:1)\n"))
	f.Add([]byte(`{"log":"Traceback (most recent call last):\n","stream":"stderr"}` + "\n" + `{"log":"\n","stream":"stderr"}` + "\n" + `{"log":"  File \"x.py\", line 1, in f\n","stream":"stderr"}` + "\n" + `{"log":"KeyError: 1","stream":"stderr"}` + "\n"))
	f.Add([]byte(`{"log":"\u00e9\\u0000\"","stream":"stdout","time":"x"}` + "\n" + `{"stream":"stderr","log":"y\n"}` + "\n{\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		check := func(e *Event) { checkEvent(t, e) }
		for _, format := range []int{fmtCRI, fmtDocker, fmtAuto} {
			det := NewDetector(DetectorOptions{}, check)
			p := newLineProc(det, format)
			sp := newSplitter(4096)
			_ = scanOne(bytes.NewReader(data), sp, p)
			records := uint64(bytes.Count(data, []byte("\n")))
			if len(data) > 0 && data[len(data)-1] != '\n' {
				records++
			}
			if p.lines > records {
				t.Fatalf("format %d: %d lines from %d records", format, p.lines, records)
			}
			for _, r := range p.resumePoints() {
				if r < 0 || r > p.off {
					t.Fatalf("resume point %d outside [0, %d]", r, p.off)
				}
			}
		}
	})
}

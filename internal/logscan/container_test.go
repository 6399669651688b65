package logscan

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
)

func criRec(stream, flag, s string) string {
	return "2026-05-01T10:00:00.123456789Z " + stream + " " + flag + " " + s + "\n"
}

func dockerRec(stream, s string) string {
	b, _ := json.Marshal(map[string]string{"log": s, "stream": stream, "time": "2026-05-01T10:00:00.123456789Z"})
	// Docker writes the keys in this order: log, stream, time.
	var r struct {
		Log    string `json:"log"`
		Stream string `json:"stream"`
		Time   string `json:"time"`
	}
	_ = json.Unmarshal(b, &r)
	out, _ := json.Marshal(r)
	return string(out) + "\n"
}

// splitCRI writes line as CRI records of at most n bytes (P ... F), like containerd.
func splitCRI(stream, line string, n int) string {
	var b strings.Builder
	for len(line) > n {
		b.WriteString(criRec(stream, "P", line[:n]))
		line = line[n:]
	}
	b.WriteString(criRec(stream, "F", line))
	return b.String()
}

// splitDocker writes line as json-file records split at n bytes (16 KiB in Docker).
func splitDocker(stream, line string, n int) string {
	var b strings.Builder
	line += "\n"
	for len(line) > n {
		b.WriteString(dockerRec(stream, line[:n]))
		line = line[n:]
	}
	b.WriteString(dockerRec(stream, line))
	return b.String()
}

// countLines runs the pipeline and returns the events and the lines counted.
func countLines(t *testing.T, text, format string) ([]Event, uint64) {
	t.Helper()
	f, err := parseFormat(format)
	if err != nil {
		t.Fatal(err)
	}
	var evs []Event
	d := NewDetector(DetectorOptions{}, func(e *Event) { evs = append(evs, *e) })
	p := newLineProc(d, f)
	if err := scanOne(strings.NewReader(text), newSplitter(0), p); err != nil {
		t.Fatal(err)
	}
	return evs, p.lines
}

// TestContainerPartialRecords: a long exception line split into partial records (CRI P/F,
// Docker json-file at 16 KiB) is one line and one event, not two; stdout records between
// the parts of a stderr line and between the frames of a stderr trace change nothing.
func TestContainerPartialRecords(t *testing.T) {
	long := "java.lang.IllegalStateException: payload " + strings.Repeat("x", 40000)
	frames := []string{"\tat com.acme.Order.load(Order.java:10)", "\tat com.acme.Api.get(Api.java:20)"}
	stdout := "2026-05-01 10:00:00 INFO tick"

	var cri, docker strings.Builder
	for i := range 3 {
		// The long header split in parts, with a stdout record between two of them.
		parts := splitCRI("stderr", long+fmt.Sprint(i), 16384)
		recs := strings.SplitAfter(parts, "\n")
		cri.WriteString(recs[0] + criRec("stdout", "F", stdout) + strings.Join(recs[1:], ""))
		dparts := strings.SplitAfter(splitDocker("stderr", long+fmt.Sprint(i), 16384), "\n")
		docker.WriteString(dparts[0] + dockerRec("stdout", stdout+"\n") + strings.Join(dparts[1:], ""))
		for _, f := range frames {
			cri.WriteString(criRec("stderr", "F", f) + criRec("stdout", "F", stdout))
			docker.WriteString(dockerRec("stderr", f+"\n") + dockerRec("stdout", stdout+"\n"))
		}
		cri.WriteString(criRec("stderr", "F", "2026-05-01 10:00:01 WARN retry"))
		docker.WriteString(dockerRec("stderr", "2026-05-01 10:00:01 WARN retry\n"))
	}
	// Per round: 1 header + 2 frames + 1 warn on stderr, 3 stdout lines = 7 logical lines.
	for _, c := range []struct{ name, text, format string }{
		{"cri", cri.String(), FormatCRI}, {"cri auto", cri.String(), FormatAuto},
		{"docker", docker.String(), FormatDocker}, {"docker auto", docker.String(), FormatAuto},
	} {
		t.Run(c.name, func(t *testing.T) {
			evs, lines := countLines(t, c.text, c.format)
			checkGroups(t, evs, "AAA")
			if evs[0].Type != "java.lang.IllegalStateException" || evs[0].Location != "com.acme.Order.load" || evs[0].Lines != 3 {
				t.Errorf("event %+v", evs[0])
			}
			if lines != 21 {
				t.Errorf("lines = %d, want 21 logical lines", lines)
			}
		})
	}
}

// TestDockerEmptyRecords: {"log":"\n"} is an empty line inside a trace, not its end: a
// chained Python traceback stays one event.
func TestDockerEmptyRecords(t *testing.T) {
	tb := []string{
		"Traceback (most recent call last):", `  File "/app/b.py", line 2, in g`, "    d['k']", "KeyError: 'k'", "",
		"During handling of the above exception, another exception occurred:", "",
		"Traceback (most recent call last):", `  File "/app/b.py", line 4, in g`, "    raise ValueError('v')", "ValueError: v",
		"2026-05-01 10:00:01 INFO next",
	}
	var docker, cri strings.Builder
	for range 2 {
		for _, l := range tb {
			docker.WriteString(dockerRec("stderr", l+"\n"))
			cri.WriteString(criRec("stderr", "F", l))
		}
	}
	for _, c := range []struct{ name, text string }{{"docker", docker.String()}, {"cri", cri.String()}} {
		t.Run(c.name, func(t *testing.T) {
			evs, lines := countLines(t, c.text, FormatAuto)
			checkGroups(t, evs, "AA")
			if evs[0].Type != "ValueError" || evs[0].Language != LangPython {
				t.Errorf("event %+v", evs[0])
			}
			if lines != 24 {
				t.Errorf("lines = %d, want 24", lines)
			}
		})
	}
}

// TestContainerStreamsSeparate: a stdout line between two stderr frames neither ends nor
// joins the stderr trace, and a stdout trace interleaved with a stderr trace stays apart.
func TestContainerStreamsSeparate(t *testing.T) {
	text := criRec("stderr", "F", "java.lang.IllegalStateException: a") +
		criRec("stdout", "F", "Traceback (most recent call last):") +
		criRec("stderr", "F", "\tat com.acme.A.run(A.java:1)") +
		criRec("stdout", "F", `  File "/app/x.py", line 1, in f`) +
		criRec("stderr", "F", "\tat com.acme.B.run(B.java:2)") +
		criRec("stdout", "F", "KeyError: 'z'") +
		criRec("stderr", "F", "done") +
		criRec("stdout", "F", "done")
	evs, lines := countLines(t, text, FormatCRI)
	if len(evs) != 2 || lines != 8 {
		t.Fatalf("events %+v, lines %d", evs, lines)
	}
	langs := evs[0].Language + "," + evs[1].Language
	if langs != "java,python" && langs != "python,java" {
		t.Errorf("events %+v", evs)
	}
	for _, e := range evs {
		if e.Lines != 3 {
			t.Errorf("event mixes streams or lost lines: %+v", e)
		}
	}
}

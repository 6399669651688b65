package logscan

import (
	"bytes"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

func TestRunScanJSON(t *testing.T) {
	dir := t.TempDir()
	var paths []string
	for _, f := range []string{"java.log", "python.log", "go.log"} {
		paths = append(paths, filepath.Join("testdata", f))
	}
	const stdinText = "java.lang.IllegalStateException: from stdin 1\n\tat com.example.X.y(X.java:1)\n"
	stdin := strings.NewReader(stdinText)
	var out bytes.Buffer
	if err := RunScan(&out, append(paths, "-"), stdin, 3, "json", nil); err != nil {
		t.Fatal(err)
	}
	var rep struct {
		Lines        uint64 `json:"lines"`
		Bytes        uint64 `json:"bytes"`
		Exceptions   uint64 `json:"exceptions"`
		Fingerprints []struct {
			Fingerprint, Type, Location, Message, Language string
			Count                                          uint64
		} `json:"fingerprints"`
	}
	if err := json.Unmarshal(out.Bytes(), &rep); err != nil {
		t.Fatalf("%v: %s", err, out.String())
	}
	var size, lines int
	for _, p := range paths {
		b, _ := os.ReadFile(p)
		size += len(b)
		lines += bytes.Count(b, []byte("\n"))
	}
	if rep.Exceptions != 5+4+4+1 || rep.Bytes != uint64(size+len(stdinText)) || rep.Lines != uint64(lines+2) {
		t.Errorf("totals: %+v (want bytes %d lines %d)", rep, size+len(stdinText), lines+2)
	}
	if len(rep.Fingerprints) != 3 || rep.Fingerprints[0].Count != 2 || rep.Fingerprints[0].Count < rep.Fingerprints[2].Count {
		t.Errorf("fingerprints: %+v", rep.Fingerprints)
	}
	for _, k := range []string{`"lines":`, `"bytes":`, `"exceptions":`, `"fingerprints":[{"fingerprint":"`, `"type":`, `"location":`, `"message":`, `"language":`, `"count":`} {
		if !strings.Contains(out.String(), k) {
			t.Errorf("JSON lacks %s: %s", k, out.String())
		}
	}
	out.Reset()
	if err := RunScan(&out, paths, nil, 0, "table", nil); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "COUNT") || !strings.Contains(out.String(), "java.lang.IllegalStateException") {
		t.Errorf("table: %s", out.String())
	}
	if err := RunScan(&out, []string{filepath.Join(dir, "missing.log")}, nil, 0, "json", nil); err == nil ||
		!strings.Contains(err.Error(), "missing.log") {
		t.Errorf("missing file: %v", err)
	}
	if err := RunScan(&out, paths, nil, 0, "yaml", nil); err == nil {
		t.Error("bad output format accepted")
	}
}

func TestInApp(t *testing.T) {
	trace := "java.lang.IllegalStateException: x\n" +
		"\tat org.lib.Helper.check(Helper.java:1)\n" +
		"\tat com.acme.shop.Cart.add(Cart.java:2)\n" +
		"\tat com.acme.shop.Api.post(Api.java:3)\n"
	def := detectAll(t, trace)
	app := detectAll(t, trace, "com.acme.")
	if def[0].Location != "org.lib.Helper.check" || app[0].Location != "com.acme.shop.Cart.add" {
		t.Errorf("locations %q %q", def[0].Location, app[0].Location)
	}
	// a change in library frames does not change the in-app fingerprint
	other := detectAll(t, strings.Replace(trace, "org.lib.Helper.check", "org.lib.Helper2.verify", 1), "com.acme.")
	if other[0].Fingerprint != app[0].Fingerprint {
		t.Error("library frame changed the in-app fingerprint")
	}
}

func TestChainedFingerprint(t *testing.T) {
	mk := func(outer, root string) string {
		return "java.lang.RuntimeException: " + outer + "\n" +
			"\tat com.acme.A.run(A.java:1)\n" +
			"Caused by: " + root + ": boom 42\n" +
			"\tat com.acme.B.load(B.java:9)\n" +
			"\t... 1 more\n"
	}
	a := detectAll(t, mk("wrap 1", "java.io.IOException"))
	b := detectAll(t, mk("wrap 2", "java.io.IOException"))
	c := detectAll(t, mk("wrap 1", "java.sql.SQLException"))
	if len(a)+len(b)+len(c) != 3 {
		t.Fatalf("events %d %d %d", len(a), len(b), len(c))
	}
	if a[0].Fingerprint != b[0].Fingerprint || a[0].Fingerprint == c[0].Fingerprint {
		t.Errorf("chain grouping: %s %s %s", a[0].Fingerprint, b[0].Fingerprint, c[0].Fingerprint)
	}
	if a[0].Type != "java.lang.RuntimeException" || a[0].Location != "com.acme.B.load" {
		t.Errorf("event %+v", a[0])
	}
}

func TestNoStackFingerprint(t *testing.T) {
	evs := detectAll(t, "2026-05-01 ERROR c.e.A - java.net.SocketTimeoutException: Read timed out after 3000ms on 10.0.0.1:80\n"+
		"2026-05-01 ERROR c.e.A - java.net.SocketTimeoutException: Read timed out after 250ms on 10.9.9.9:8080\n"+
		"2026-05-01 ERROR c.e.A - java.net.SocketTimeoutException: Connect timed out\n")
	checkGroups(t, evs, "AAB")
}

func TestEventLimits(t *testing.T) {
	var b strings.Builder
	b.WriteString("java.lang.StackOverflowError\n")
	for range 5000 {
		b.WriteString("\tat com.acme.Rec.call(Rec.java:5)\n")
	}
	b.WriteString("2026-05-01 INFO after\njava.lang.IllegalStateException: next\n")
	evs := detectAll(t, b.String())
	if len(evs) != 2 || evs[0].Type != "java.lang.StackOverflowError" || evs[0].Lines < DefaultMaxEventLines {
		t.Fatalf("events: %+v", evs)
	}
	var got []Event
	d := NewDetector(DetectorOptions{MaxEventLines: 10, MaxEventBytes: 200}, func(e *Event) { got = append(got, *e) })
	for _, l := range strings.Split(b.String(), "\n") {
		d.Feed([]byte(l))
	}
	d.Flush()
	if len(got) != 2 {
		t.Fatalf("small limits: %d events", len(got))
	}
}

func TestFlushIfQuiet(t *testing.T) {
	var n int
	d := NewDetector(DetectorOptions{}, func(*Event) { n++ })
	now := time.Unix(1000, 0)
	d.Touch(now)
	d.Feed([]byte("Traceback (most recent call last):"))
	d.Feed([]byte(`  File "/x.py", line 1, in f`))
	d.Feed([]byte("KeyError: 'a'"))
	if d.FlushIfQuiet(now.Add(time.Second), 5*time.Second) || n != 0 || !d.Pending() {
		t.Fatal("flushed too early")
	}
	if !d.FlushIfQuiet(now.Add(6*time.Second), 5*time.Second) || n != 1 || d.Pending() {
		t.Fatal("not flushed after quiet period")
	}
}

func TestBadInput(t *testing.T) {
	var b bytes.Buffer
	b.WriteString("2026 INFO ok\n")
	b.WriteString("java.lang.IllegalStateException: bad \xff\xfe utf8 \x00 nul\n\tat com.acme.A.b(A.java:1)\n")
	b.WriteString("\x00\x00\x00\n")
	b.WriteString("long " + strings.Repeat("Exception x ", 5<<20/12) + "\n") // ~5 MB line
	b.WriteString("java.lang.IllegalArgumentException: after long line\n\tat com.acme.A.c(A.java:2)\n")
	b.WriteString("half-written last line without newline")
	rep, err := Scan([]io.Reader{bytes.NewReader(b.Bytes())}, ScanOptions{MaxLineBytes: 64 << 10})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Exceptions != 2 || rep.Bytes != uint64(b.Len()) || rep.Lines != 8 {
		t.Errorf("report: %+v (len %d)", rep, b.Len())
	}
	for _, f := range rep.Fingerprints {
		if !utf8.ValidString(f.Message) || strings.ContainsRune(f.Message, 0) {
			t.Errorf("message %q", f.Message)
		}
	}
}

func TestLogGenerator(t *testing.T) {
	var b bytes.Buffer
	g := NewLogGenerator(7)
	g.ExceptionEvery = 20
	now := time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC)
	_, events, err := g.Write(&b, 2000, 0, now)
	if err != nil {
		t.Fatal(err)
	}
	rep, err := Scan([]io.Reader{bytes.NewReader(b.Bytes())}, ScanOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if events == 0 || rep.Exceptions != uint64(events) || len(rep.Fingerprints) != len(genTraces) {
		t.Errorf("generated %d events, scanned %d, %d fingerprints", events, rep.Exceptions, len(rep.Fingerprints))
	}
	if !strings.Contains(b.String(), "2026-05-01") {
		t.Error("timestamps do not follow now")
	}
}

// TestJavaPackagingData: log4j2/logback append jar names and versions to frames; they
// must not change the fingerprint.
func TestJavaPackagingData(t *testing.T) {
	mk := func(ver string) string {
		return "java.lang.IllegalStateException: boom\n" +
			"\tat com.acme.shop.Cart.add(Cart.java:2) ~[shop-" + ver + ".jar:" + ver + "]\n" +
			"\tat com.acme.shop.Api.post(Api.java:3) ~[shop-" + ver + ".jar:?]\n" +
			"\tat org.springframework.web.servlet.FrameworkServlet.service(FrameworkServlet.java:897) [spring-webmvc-5.3.1.jar:5.3.1]\n"
	}
	a, b := detectAll(t, mk("1.2.3")), detectAll(t, mk("1.2.4"))
	if len(a) != 1 || len(b) != 1 || a[0].Fingerprint != b[0].Fingerprint || a[0].Location != "com.acme.shop.Cart.add" {
		t.Errorf("%+v %+v", a, b)
	}
}

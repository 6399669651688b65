package logscan

import (
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// referenceDir returns $HERO_REFERENCE_DIR/sub. The test is skipped when the variable is
// unset; when it is set but the folder is missing the test fails under CI=true (and is
// skipped elsewhere).
func referenceDir(t *testing.T, sub string) string {
	t.Helper()
	base := os.Getenv("HERO_REFERENCE_DIR")
	if base == "" {
		t.Skip("HERO_REFERENCE_DIR not set")
	}
	dir := filepath.Join(base, sub)
	if st, err := os.Stat(dir); err != nil || !st.IsDir() {
		if os.Getenv("CI") == "true" {
			t.Fatalf("HERO_REFERENCE_DIR=%s is set but %s is missing", base, dir)
		}
		t.Skipf("reference folder %s missing", dir)
	}
	return dir
}

// TestConformanceStacktraces: every sample of fluent-plugin-detect-exceptions is one
// event; ARBITRARY_TEXT.txt is none.
func TestConformanceStacktraces(t *testing.T) {
	dir := referenceDir(t, "logs/stacktraces/fluent-plugin-detect-exceptions")
	files, err := filepath.Glob(filepath.Join(dir, "*.txt"))
	if err != nil {
		t.Fatal(err)
	}
	if len(files) < 10 {
		t.Fatalf("only %d samples in %s", len(files), dir)
	}
	for _, f := range files {
		name := filepath.Base(f)
		t.Run(strings.TrimSuffix(name, ".txt"), func(t *testing.T) {
			data, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			want := 1
			if name == "ARBITRARY_TEXT.txt" {
				want = 0
			}
			// Alone, surrounded by ordinary log lines, and through the pipeline.
			framed := "2026-05-01 10:00:00 INFO before\n" + string(data) + "2026-05-01 10:00:01 INFO after\n"
			for what, evs := range map[string][]Event{
				"alone":    detectAll(t, string(data)),
				"framed":   detectAll(t, framed),
				"pipeline": scanAll(t, framed, FormatAuto),
			} {
				if len(evs) != want {
					t.Errorf("%s: %d events, want %d: %+v", what, len(evs), want, evs)
				}
				for _, e := range evs {
					checkFingerprintFormat(t, e.Fingerprint)
					if e.Type == "" {
						t.Errorf("%s: empty type", what)
					}
				}
			}
		})
	}
}

// TestConformanceFluentBit: the Fluent Bit multiline inputs hold one trace each (plus
// ordinary lines).
func TestConformanceFluentBit(t *testing.T) {
	dir := referenceDir(t, "logs/stacktraces/fluent-bit")
	cases := []struct{ file, lang, typ, loc string }{
		{"internal-multiline-test/java_input.log", LangJava, "java.lang.IllegalStateException", "com.example.myproject.Book.getId"},
		{"internal-multiline-test/python_input.log", LangPython, "Exception", "nearfieldspy.get"},
		{"internal-multiline-test/go_input.log", LangGo, "panic", "main.main.func"},
		{"internal-multiline-test/ruby_input.log", LangRuby, "ZeroDivisionError", "routes.rb:/"},
		{"internal-multiline-test/elastic_input.log", LangJava, "IndexNotFoundException", ""},
		{"tail-runtime/multiline_001.log", LangJava, "java.lang.RuntimeException", "com.myproject.module.MyProject.badMethod"},
	}
	for _, c := range cases {
		t.Run(filepath.Base(c.file), func(t *testing.T) {
			data, err := os.ReadFile(filepath.Join(dir, c.file))
			if err != nil {
				t.Fatal(err)
			}
			evs := scanAll(t, string(data), FormatAuto)
			if len(evs) != 1 {
				t.Fatalf("%d events, want 1: %+v", len(evs), evs)
			}
			e := evs[0]
			if e.Language != c.lang || e.Type != c.typ || c.loc != "" && e.Location != c.loc {
				t.Errorf("event %+v, want %s %s %s", e, c.lang, c.typ, c.loc)
			}
		})
	}
}

// TestConformanceLoghub runs real system logs through the pipeline: no crash, sane
// totals, and the inline Java exceptions of Hadoop are found.
func TestConformanceLoghub(t *testing.T) {
	dir := referenceDir(t, "logs/loghub")
	files, err := filepath.Glob(filepath.Join(dir, "*", "*_2k.log"))
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			fh, err := os.Open(f)
			if err != nil {
				t.Fatal(err)
			}
			defer fh.Close()
			st, _ := fh.Stat()
			rep, err := Scan([]io.Reader{fh}, ScanOptions{})
			if err != nil {
				t.Fatal(err)
			}
			if rep.Bytes != uint64(st.Size()) || rep.Lines < 1900 {
				t.Errorf("lines %d bytes %d (file %d bytes)", rep.Lines, rep.Bytes, st.Size())
			}
			var sum uint64
			for _, e := range rep.Fingerprints {
				sum += e.Count
			}
			if sum != rep.Exceptions {
				t.Errorf("sum of fingerprints %d != exceptions %d", sum, rep.Exceptions)
			}
			if strings.HasPrefix(filepath.Base(f), "Hadoop") && rep.Exceptions == 0 {
				t.Errorf("no exception found in Hadoop log")
			}
			t.Logf("%s: %d lines, %d exceptions, %d fingerprints", filepath.Base(f), rep.Lines, rep.Exceptions, len(rep.Fingerprints))
		})
	}
}

package sourcetest

import (
	"os"
	"path/filepath"
	"testing"
)

// Reference is a file or folder below $HERO_REFERENCE_DIR that a test checks against.
// Without the variable the test is skipped, except in CI (CI=true), where it fails;
// likewise when the variable is set and Check is missing.
type Reference struct {
	// Path is below $HERO_REFERENCE_DIR, e.g. "apis/pagerduty/openapiv3.json".
	Path string
	// Check, below Path, is what must exist ("": Path itself).
	Check string
	// Test names the test in messages: "CI=true but HERO_REFERENCE_DIR is not set: the
	// <Test> must run in CI" (default "conformance test").
	Test string
	// Skipping says what is skipped without the variable: "HERO_REFERENCE_DIR not set;
	// skipping <Skipping>" (default "the OpenAPI conformance test").
	Skipping string
	// What names Check in messages: "HERO_REFERENCE_DIR is set but the <What> is
	// missing" and "<What> not found"; Plural says "are missing".
	What   string
	Plural bool
}

// Locate returns $HERO_REFERENCE_DIR/Path, or skips or fails t.
func (r Reference) Locate(t testing.TB) string {
	t.Helper()
	test, skipping := r.Test, r.Skipping
	if test == "" {
		test = "conformance test"
	}
	if skipping == "" {
		skipping = "the OpenAPI conformance test"
	}
	dir := os.Getenv("HERO_REFERENCE_DIR")
	ci := os.Getenv("CI") == "true"
	if dir == "" {
		if ci {
			t.Fatalf("CI=true but HERO_REFERENCE_DIR is not set: the %s must run in CI", test)
		}
		t.Skipf("HERO_REFERENCE_DIR not set; skipping %s", skipping)
	}
	path := filepath.Join(dir, filepath.FromSlash(r.Path))
	if _, err := os.Stat(filepath.Join(path, filepath.FromSlash(r.Check))); err != nil {
		verb := "is"
		if r.Plural {
			verb = "are"
		}
		if ci {
			t.Fatalf("HERO_REFERENCE_DIR is set but the %s %s missing: %v", r.What, verb, err)
		}
		t.Skipf("%s not found: %v", r.What, err)
	}
	return path
}

// Read returns Locate's path and the file's contents.
func (r Reference) Read(t testing.TB) (string, []byte) {
	t.Helper()
	path := r.Locate(t)
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return path, raw
}
